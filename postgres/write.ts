/**
 * The one write every way into the table shares (the collector's store, `postgresSink`, `sluice
 * consume --postgres`): batches of records and their keys in one transaction, the rows with
 * `COPY`, so a batch is committed whole with its key or not at all.
 *
 * @module
 */
import type { Sql } from "postgres";
import type { LogRecord } from "../lib/record.ts";
import { type CopyBuffer, giveBack, takeCopyBuffer } from "./copy_buffer.ts";
import { copyBytesAsSent, copyRecords } from "./copy_bytes.ts";
import { ROW_COLUMNS } from "./rows.ts";
import type { TableNames } from "./table.ts";

/**
 * One batch to commit: its records and, when it has one, its key (an Idempotency-Key's digest,
 * a stream sequence): a batch whose key is in the key table already is not written again.
 *
 * @example
 * ```ts
 * import type { KeyedBatch } from "./write.ts";
 * const b: KeyedBatch = { records: [], key: { token: "edge", hash: "9f86d081" } };
 * ```
 */
export interface KeyedBatch {
  /** The records, committed whole or not at all. */
  records: readonly LogRecord[];
  /** The batch's key: a token (or stream) and a hash (or sequence). */
  key?: { token: string; hash: string };
  /**
   * The `producer` every record of the batch carries as its last member, when the writer
   * tagged them so (the collector's ingest): then it is not read back from each record's JSON.
   */
  producer?: string;
  /**
   * With `producer`: the bytes the records came as, one a line in sluice's own form, each
   * tagged with the producer in place of its closing brace (`ParsedBody.asSent`): the rows are
   * then made from these bytes ({@linkcode copyBytesAsSent}).
   */
  body?: Uint8Array;
}

/**
 * Whether PostgreSQL refused a transaction for what a record holds (a data exception, SQLSTATE
 * class 22: a number `jsonb` cannot hold; or past a program limit, class 54: JSON nested too
 * deep): committing the same records again fails the same way.
 *
 * @param err What a commit threw.
 * @returns True for those classes.
 * @example
 * ```ts
 * import { refusedForWhatItHolds } from "./write.ts";
 * refusedForWhatItHolds({ code: "22003" }); // true: numeric value out of range
 * ```
 */
export function refusedForWhatItHolds(err: unknown): boolean {
  const code = String((err as { code?: unknown } | null)?.code ?? "");
  return code.startsWith("22") || code.startsWith("54");
}

/**
 * Commits the batches in one transaction: their keys first (a key already there marks its
 * batch a duplicate, left out), then every other batch's rows with one `COPY`. Two writers
 * with the same key wait on each other at the key's row, so one of them writes it.
 *
 * The transaction takes three round trips on a connection of its own: `begin`, the keys' insert
 * and the `COPY`'s start go out together, then the rows, then the `commit`.
 *
 * @param sql A postgres.js pool.
 * @param names The table's names.
 * @param batches The batches.
 * @param probe Writes everything inside a savepoint, rolls back to it and commits: a probe that
 *   needs only what a commit needs (INSERT, not DELETE) and leaves nothing, whose commit still
 *   waits for the WAL's flush and a synchronous standby (the transaction wrote), and whose rows
 *   meet the checks and triggers a commit's do, deferred ones included (`set constraints all
 *   immediate` runs them before the savepoint's rollback).
 * @returns For each batch, whether it was a duplicate.
 * @throws The driver's error when the transaction failed (then nothing of it was committed).
 * @example
 * ```ts ignore
 * const [dup] = await commitBatches(sql, tableNames("logs"), [{ records, key }]);
 * ```
 */
export async function commitBatches(sql: Sql, names: TableNames, batches: readonly KeyedBatch[], probe = false): Promise<boolean[]> {
  const tx = await sql.reserve();
  // what is sent on the connection resolves or rejects in order; the first failure is the one reported
  const sent: Promise<unknown>[] = [];
  const send = <T>(p: Promise<T>): Promise<T> => (sent.push(p), p.catch(() => {}), p);
  let open = true; // a `begin` went out and no `commit` yet: on failure, a `rollback` follows
  try {
    send(tx.unsafe("begin").execute());
    if (probe) send(tx.unsafe("savepoint probe").execute());
    const duplicate = batches.map(() => false);
    const keyed = batches.map((b, i) => [b, i] as const).filter(([b]) => b.key !== undefined);
    // the insert's answer comes before the COPY's start, so the rows written are only the fresh batches'
    const fresh = keyed.length === 0 ? undefined : send(tx.unsafe(`insert into ${names.keys} (token, hash) select * from unnest($1::text[], $2::text[]) on conflict do nothing returning token, hash`, [keyed.map(([b]) => b.key!.token), keyed.map(([b]) => b.key!.hash)] as never).execute());
    const copying = batches.some((b) => b.records.length > 0) ? send(tx.unsafe(`copy ${names.table} ${ROW_COLUMNS} from stdin`).writable()) : undefined;
    if (fresh !== undefined) {
      const made = new Set((await fresh).map((r) => `${r.token}\n${r.hash}`));
      // a key twice among the batches: the first is written, the second is its duplicate
      for (const [b, i] of keyed) duplicate[i] = !made.delete(`${b.key!.token}\n${b.key!.hash}`);
    }
    if (copying !== undefined) {
      const copy = await copying;
      const rows = takeCopyBuffer();
      try {
        copyRows(batches, duplicate, rows);
      } catch (err) {
        giveBack(rows);
        copy.destroy(); // the COPY fails (CopyFail), and the transaction with it
        throw err;
      }
      // the commit waits for the COPY's end: the driver refuses a query while a COPY's writes wait for the socket
      await send(new Promise<void>((resolve, reject) => {
        copy.on("error", reject);
        copy.once("finish", resolve);
        // the buffer is reused once the stream has called back for its bytes
        if (rows.length > 0) copy.write(rows.view(), () => giveBack(rows));
        copy.end();
      }));
    }
    if (probe) {
      // deferred constraint triggers run now, as the commit would run them: a rollback to the savepoint drops their events
      send(tx.unsafe("set constraints all immediate").execute());
      send(tx.unsafe("rollback to savepoint probe").execute());
    }
    send(tx.unsafe("commit").execute());
    open = false;
    await Promise.all(sent);
    return duplicate;
  } catch (err) {
    // the first of what went out to fail says why; a rollback ends the transaction so the connection is reused
    const first = await firstFailure(sent, err);
    if (open) await tx.unsafe("rollback").execute().catch(() => {});
    throw first;
  } finally {
    tx.release(); // a connection left inside a transaction is closed by the pool, never reused
  }
}

/** The first of `sent` that rejected, in order, or `otherwise`. */
async function firstFailure(sent: readonly Promise<unknown>[], otherwise: unknown): Promise<unknown> {
  for (const p of sent) {
    try {
      await p;
    } catch (err) {
      return err;
    }
  }
  return otherwise;
}

/** The COPY rows of every batch that is not a duplicate, into `rows`: from its bytes as sent when it has them. */
function copyRows(batches: readonly KeyedBatch[], duplicate: readonly boolean[], rows: CopyBuffer): void {
  for (let i = 0; i < batches.length; i++) {
    const { records, producer, body } = batches[i];
    if (duplicate[i] || records.length === 0) continue;
    if (body !== undefined && producer !== undefined) copyBytesAsSent(records, body, producer, rows);
    else copyRecords(records, producer, rows);
  }
}
