/**
 * `sluice consume --postgres`: a durable pull consumer on the JetStream stream that commits
 * each message's records into sluice's PostgreSQL table and acks a message only once they are
 * committed.
 *
 * Exactly once: each message's stream sequence is committed as a key in the same transaction
 * as its rows, so a message that was committed but whose ack never reached the server is found
 * in the key table when it comes again, acked and skipped. Messages that arrive while a commit
 * runs are committed together in the next transaction (one COPY for all of them).
 *
 * @module
 */
import { connect } from "@nats-io/transport-node";
import { type ConsumerMessages, jetstream, jetstreamManager, type JsMsg } from "@nats-io/jetstream";
import { decodeMessage, MessageDecodeError } from "../../jetstream/message_read.ts";
import { errorMessage } from "../../lib/errors.ts";
import type { LogRecord } from "../../lib/record.ts";
import { openPostgres, safeUrl } from "../../postgres/connect.ts";
import { ensureTable, tableNames } from "../../postgres/table.ts";
import { commitBatches, type KeyedBatch, refusedForWhatItHolds } from "../../postgres/write.ts";
import { deadLetter } from "./dead_letter.ts";
import { openDurable } from "./durable.ts";
import { checkFilters, subjectCheck } from "./subjects.ts";
import type { ConsumeCounts, ConsumeOptions, RunningConsumer } from "./consumer.ts";

/**
 * What `sluice consume --postgres` runs with: the stream's side as for the files, and the
 * database (`dir` then only holds dead letters).
 *
 * @example
 * ```ts
 * const o: PostgresConsumeOptions = { servers: ["nats://127.0.0.1:4222"], stream: "LOGS", dir: "./logs", name: "sluice-consume", postgres: "postgres://logs@127.0.0.1/logs" };
 * ```
 */
export interface PostgresConsumeOptions extends ConsumeOptions {
  /** `postgres://user@host:port/db`. */
  postgres: string;
  /** The table. @default "logs" */
  table?: string;
}

const PULL = { max_messages: 500, expires: 1000 };
const RETRY_MS = 500;
const PRUNE_EVERY_MS = 600_000;

/**
 * Connects to NATS and PostgreSQL, checks the table (making it when missing; one that differs
 * stops the start), takes the consumer's lock (a session advisory lock on its name: a second
 * process with the same `--name` is refused), sets up the durable consumer and starts.
 *
 * @param options Stream, consumer, database, table.
 * @returns The running consumer.
 * @example
 * ```ts ignore
 * const c = await startPostgresConsumer({ servers: ["nats://127.0.0.1:4222"], stream: "LOGS", dir: "./logs", name: "pg", postgres: "postgres://logs@127.0.0.1/logs" });
 * await c.stop();
 * ```
 */
export async function startPostgresConsumer(options: PostgresConsumeOptions): Promise<RunningConsumer> {
  const print = options.print ?? console.log;
  const names = tableNames(options.table ?? "logs");
  const sql = openPostgres(options.postgres, { maxConnections: 3 });
  const nc = await connect({ servers: options.servers, timeout: 5000, maxReconnectAttempts: -1, reconnectTimeWait: 500, name: `sluice consume ${options.name}` }).catch(async (err) => {
    await sql.end({ timeout: 1 });
    throw err;
  });
  try {
    const checked = await ensureTable(sql, names).catch((err) => {
      throw new TypeError(`sluice consume: cannot reach PostgreSQL at ${safeUrl(options.postgres)}: ${errorMessage(err)}`);
    });
    if (checked.differences.length) throw new TypeError(`sluice consume: the table ${names.name} is not as sluice makes it (left unchanged): ${checked.differences.join("; ")}`);
    const lock = await sql.reserve();
    const [held] = await lock`select pg_try_advisory_lock(hashtext(${`sluice consume:${names.name}:${options.name}`})) as ok`;
    if (!held.ok) {
      lock.release();
      throw new TypeError(`sluice consume: another consume --name ${options.name} is writing to table ${names.name}; one process per name`);
    }
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info(options.stream).catch((err) => {
      if (!/stream not found/i.test(errorMessage(err))) throw err;
      throw new TypeError(`sluice consume: there is no stream ${options.stream} (sluice jetstream init makes it)`);
    });
    const filters = options.subjects ? checkFilters(options.subjects, info.config.subjects) : [];
    const made = await openDurable(jsm, options.stream, options.name, filters, options.ackWaitMs ?? 3000, 0);
    const consumer = await jetstream(nc).consumers.get(options.stream, options.name);
    // sequences name messages of this stream only: one deleted and made again counts from 1 again
    const token = `stream:${options.stream}@${info.created}`;
    const maxAgeMs = info.config.max_age / 1e6;
    print(`sluice consume: consumer ${options.name} on stream ${options.stream} (${(filters.length ? filters : info.config.subjects).join(",")}), writing to PostgreSQL table ${names.name}; ${made}`);
    const onSubject = subjectCheck(info.config.subjects);
    const counts: ConsumeCounts = { messages: 0, records: 0, skipped: 0, deadLettered: 0, diskRetries: 0 };
    let stopping = false;
    let pull: ConsumerMessages | undefined;
    const pending: JsMsg[] = [];
    let wake: (() => void) | undefined;
    /** Puts `m` in the dead letters with `reason`, says so, and acks it: it is never tried again. */
    const deadLettered = (m: JsMsg, what: string, reason: string) => {
      deadLetter(options.dir, m, reason);
      print(`sluice consume: message ${m.seq} (${m.subject}) ${what}, dead-lettered to ${options.dir}/.sluice/dead/${m.seq}.msg: ${reason}`);
      m.ack();
      counts.deadLettered++;
    };
    // a message is decoded, or dead-lettered and acked: a message that cannot be read is never retried
    const decoded = (m: JsMsg): LogRecord[] | undefined => {
      try {
        const records = decodeMessage(m.data);
        const wrong = onSubject(m.subject, new Set(records.map((r) => r.category)));
        if (wrong !== undefined) throw new MessageDecodeError(wrong);
        return records;
      } catch (err) {
        if (!(err instanceof MessageDecodeError)) throw err;
        deadLettered(m, "does not decode", errorMessage(err));
        return undefined;
      }
    };
    const commitAll = async (msgs: JsMsg[]) => {
      const kept: [JsMsg, KeyedBatch][] = [];
      for (const m of msgs) {
        const records = decoded(m);
        if (records !== undefined) kept.push([m, { records, key: { token, hash: String(m.seq) } }]);
      }
      await commitKept(kept);
    };
    /** Commits the messages in one transaction, again until it takes; one PostgreSQL refuses for what it holds is dead-lettered (the others committed alone). */
    const commitKept = async (kept: [JsMsg, KeyedBatch][]): Promise<void> => {
      if (kept.length === 0) return;
      for (let failures = 0; ; failures++) {
        try {
          const duplicate = await commitBatches(sql, names, kept.map(([, b]) => b));
          kept.forEach(([m, b], i) => {
            m.ack();
            if (duplicate[i]) counts.skipped++;
            else (counts.messages++, counts.records += b.records.length);
          });
          return;
        } catch (err) {
          if (refusedForWhatItHolds(err)) {
            // the same records would be refused again, forever, holding up the others: find it, alone
            if (kept.length > 1) {
              for (const one of kept) await commitKept([one]);
              return;
            }
            deadLettered(kept[0][0], "is refused by PostgreSQL", `PostgreSQL refused it: ${errorMessage(err)}`);
            return;
          }
          if (failures === 0 || failures % 60 === 0) print(`sluice consume: PostgreSQL did not commit (${errorMessage(err)}); retrying, nothing is acked meanwhile`);
          counts.diskRetries++;
          if (stopping) return; // not acked: delivered again on the next start
          for (const [m] of kept) m.working();
          await new Promise((r) => setTimeout(r, RETRY_MS));
        }
      }
    };
    const committer = (async () => {
      while (!stopping || pending.length > 0) {
        if (pending.length === 0) {
          await new Promise<void>((r) => (wake = r));
          continue;
        }
        await commitAll(pending.splice(0));
      }
    })();
    const prune = setInterval(() => {
      if (maxAgeMs > 0) void sql.unsafe(`delete from ${names.keys} where token = $1 and time < $2`, [token, new Date(Date.now() - maxAgeMs).toISOString()]).catch(() => {});
    }, PRUNE_EVERY_MS);
    const done = (async () => {
      try {
        let warned = 0;
        while (!stopping) {
          try {
            pull = await consumer.consume(PULL);
            for await (const m of pull) {
              pending.push(m);
              wake?.();
              // bounded by the consumer's max_ack_pending (1000 messages unacked at most)
              if (stopping) break;
            }
          } catch (err) {
            if (Date.now() - warned >= 30_000) (warned = Date.now(), print(`sluice consume: fetching failed (${errorMessage(err)}); trying again`));
            if (!stopping) await new Promise((r) => setTimeout(r, 250));
          }
        }
      } finally {
        wake?.();
        await committer;
        clearInterval(prune);
        await nc.flush().catch(() => {}); // the acks leave before the connection closes
        lock.release();
        await sql.end({ timeout: 5 });
        await nc.close();
      }
    })();
    return {
      counts,
      done,
      async stop() {
        stopping = true;
        pull?.stop();
        wake?.();
        await done;
      },
    };
  } catch (err) {
    await sql.end({ timeout: 1 });
    await nc.close();
    throw err;
  }
}
