/**
 * The one write every way into the table shares (the collector's store, `postgresSink`, `sluice
 * consume --postgres`): batches of records and their keys in one transaction, the rows with
 * `COPY`, so a batch is committed whole with its key or not at all.
 *
 * @module
 */
import type { Sql } from "postgres";
import type { LogRecord } from "../lib/record.ts";
import { copyBytesAsSent } from "./copy_bytes.ts";
import { copyRow, ROW_COLUMNS } from "./rows.ts";
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
 * Commits the batches in one transaction: their keys first (a key already there marks its
 * batch a duplicate, left out), then every other batch's rows with one `COPY`. Two writers
 * with the same key wait on each other at the key's row, so one of them writes it.
 *
 * @param sql A postgres.js pool.
 * @param names The table's names.
 * @param batches The batches.
 * @returns For each batch, whether it was a duplicate.
 * @throws The driver's error when the transaction failed (then nothing of it was committed).
 * @example
 * ```ts ignore
 * const [dup] = await commitBatches(sql, tableNames("logs"), [{ records, key }]);
 * ```
 */
export async function commitBatches(sql: Sql, names: TableNames, batches: readonly KeyedBatch[]): Promise<boolean[]> {
  return await sql.begin(async (tx) => {
    const duplicate = batches.map(() => false);
    const keyed = batches.map((b, i) => [b, i] as const).filter(([b]) => b.key !== undefined);
    // the keys' insert and the COPY go out together (one round trip less): the insert's answer
    // comes first, and only the batches it found fresh are then written into the COPY
    const fresh = keyed.length === 0 ? undefined : tx.unsafe(`insert into ${names.keys} (token, hash) select * from unnest($1::text[], $2::text[]) on conflict do nothing returning token, hash`, [keyed.map(([b]) => b.key!.token), keyed.map(([b]) => b.key!.hash)] as never).execute();
    const copying = batches.some((b) => b.records.length > 0) ? tx.unsafe(`copy ${names.table} ${ROW_COLUMNS} from stdin`).writable() : undefined;
    copying?.catch(() => {}); // when the insert fails first, the COPY's failure is that one
    if (fresh !== undefined) {
      const made = new Set((await fresh).map((r) => `${r.token}\n${r.hash}`));
      // a key twice among the batches: the first is written, the second is its duplicate
      for (const [b, i] of keyed) duplicate[i] = !made.delete(`${b.key!.token}\n${b.key!.hash}`);
    }
    if (copying !== undefined) {
      const copy = await copying;
      let chunks: (string | Uint8Array)[];
      try {
        chunks = copyChunks(batches, duplicate);
      } catch (err) {
        copy.destroy(); // the COPY fails (CopyFail), and the transaction with it
        throw err;
      }
      await new Promise<void>((resolve, reject) => {
        copy.on("error", reject);
        copy.once("finish", resolve);
        for (const c of chunks) copy.write(c);
        copy.end();
      });
    }
    return duplicate;
  });
}

/** The COPY text of every batch that is not a duplicate: from its bytes as sent when it has them. */
function copyChunks(batches: readonly KeyedBatch[], duplicate: readonly boolean[]): (string | Uint8Array)[] {
  const chunks: (string | Uint8Array)[] = [];
  for (let i = 0; i < batches.length; i++) {
    const { records, producer, body } = batches[i];
    if (duplicate[i] || records.length === 0) continue;
    if (body !== undefined && producer !== undefined) chunks.push(copyBytesAsSent(records, body, producer));
    else {
      let text = "";
      for (const r of records) text += copyRow(r, producer);
      chunks.push(text);
    }
  }
  return chunks;
}
