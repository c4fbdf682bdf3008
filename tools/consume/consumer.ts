/**
 * `sluice consume`'s loop: a durable pull consumer on the JetStream stream that writes each
 * message's records to the category files with the collector's {@linkcode DiskWriter}, and
 * acks a message only once its records are written (and fsynced when durable).
 *
 * Exactly once to disk: each write is journaled with the message's stream sequence as its key
 * (DiskWriter's journal, in the consumer's own state directory). After a crash the journal's
 * last, unfinished write is cut back (its message was not acked: JetStream delivers it again)
 * and every finished write's sequence is remembered, so a message that was written but whose
 * ack never reached the server is acked and skipped when it comes again. Below the floor (the
 * consumer's ack floor, saved every few seconds) nothing is written again at all.
 *
 * @module
 */
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { type Consumer, type ConsumerMessages, jetstream, type JetStreamManager, jetstreamManager, type JsMsg } from "@nats-io/jetstream";
import { DiskWriter } from "../../collector/disk_writer.ts";
import { DiskWriteError } from "../../collector/errors.ts";
import { appendableLines, decodeMessage, MessageDecodeError, messageText } from "../../jetstream/message_read.ts";
import { type ScopedKey, sequenceKey } from "../../collector/dedup.ts";
import { errorMessage } from "../../lib/errors.ts";
import type { LogRecord } from "../../lib/record.ts";
import type { Runtime } from "../../lib/runtime/runtime.ts";
import { deadLetter } from "./dead_letter.ts";
import { openConsumeState } from "./state.ts";
import { checkFilters, subjectCheck } from "./subjects.ts";
import { openDurable } from "./durable.ts";

/**
 * What `sluice consume` runs with.
 *
 * @example
 * ```ts
 * const options: ConsumeOptions = { servers: ["nats://127.0.0.1:4222"], stream: "LOGS", dir: "./logs", name: "sluice-consume" };
 * ```
 */
export interface ConsumeOptions {
  servers: string[];
  stream: string;
  dir: string;
  /** The durable consumer's name; one process per name and directory. */
  name: string;
  /** Subject filters; the stream's subjects when none. */
  subjects?: string[];
  /** fsync the records and the journal before the ack. */
  durable?: boolean;
  /** How long JetStream waits for an ack before delivering a message again. @default 3000 */
  ackWaitMs?: number;
  /** Written messages remembered (their sequences), the window against a late redelivery. @default 100000 */
  maxKeys?: number;
  /** Where the start line, warnings and the final line go. */
  print?: (line: string) => void;
}

/** The counts of one run; the final line prints them. */
export interface ConsumeCounts {
  /** Messages written. */
  messages: number;
  /** Records written. */
  records: number;
  /** Messages delivered again that were already on disk: acked, not written. */
  skipped: number;
  /** Messages that did not decode: dead-lettered and acked. */
  deadLettered: number;
  /** Writes the disk refused (each retried until it took them). */
  diskRetries: number;
}

/**
 * A running consumer: its counts, and `stop()`, which finishes the current write, acks it,
 * saves the floor and closes everything.
 *
 * @example
 * ```ts
 * const c = await startConsumer(options, runtime);
 * await c.stop(); console.log(c.counts);
 * ```
 */
export interface RunningConsumer {
  readonly counts: ConsumeCounts;
  /** Resolves when the loop ends (after `stop()`, or on a fatal error, which it rejects with). */
  readonly done: Promise<void>;
  stop(): Promise<void>;
}

const FLOOR_EVERY_MS = 2000;
/**
 * The pull: up to 100 messages outstanding, asked for again as they arrive (`consume()`, not a
 * fetch at a time: repeated fetches left a pull now and then that got nothing for its whole
 * second while messages waited, a ~1.2 s stall seen as the end-to-end p99); each pull request
 * expires after 1 s and heartbeats come every 0.5 s, so a pull lost with a NATS node (the
 * consumer's leader moved) is noticed and made again within about a second.
 */
const PULL = { max_messages: 100, expires: 1000 };
const WARN_EVERY_MS = 30_000;

/**
 * Connects, sets up (or checks) the durable consumer and starts writing.
 *
 * @param options What to consume and where to write.
 * @param runtime Files (the server runtime).
 * @returns The running consumer.
 * @example
 * ```ts
 * import { startConsumer } from "./consumer.ts";
 * const c = await startConsumer({ servers: ["nats://127.0.0.1:4222"], stream: "LOGS", dir: "./logs", name: "sluice-consume" }, runtime);
 * ```
 */
export async function startConsumer(options: ConsumeOptions, runtime: Runtime): Promise<RunningConsumer> {
  const print = options.print ?? console.log;
  const nc = await connect({ servers: options.servers, timeout: 5000, maxReconnectAttempts: -1, reconnectTimeWait: 500, name: `sluice consume ${options.name}` });
  let state: ReturnType<typeof openConsumeState> | undefined;
  let disk: DiskWriter | undefined;
  try {
    const jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info(options.stream).catch((err) => {
      if (!/stream not found/i.test(errorMessage(err))) throw err;
      throw new TypeError(`sluice consume: there is no stream ${options.stream} (sluice jetstream init makes it)`);
    });
    const filters = options.subjects ? checkFilters(options.subjects, info.config.subjects) : [];
    const writes = filters.length ? filters : info.config.subjects;
    // sequences name messages of this stream only: one deleted and made again counts from 1 again
    const streamId = `${options.stream}@${info.created}`;
    state = openConsumeState(options.dir, options.name, writes, streamId);
    const ackWaitMs = options.ackWaitMs ?? 3000;
    const made = await openDurable(jsm, options.stream, options.name, filters, ackWaitMs, state.floor);
    const maxAgeMs = info.config.max_age / 1e6;
    disk = new DiskWriter(options.dir, {
      maxOpenFiles: 64,
      durable: options.durable,
      journal: state.journal,
      // a written message's sequence is kept as long as the stream keeps the message
      keys: { ttlMs: maxAgeMs > 0 ? maxAgeMs : 7 * 86_400_000, maxPerToken: options.maxKeys ?? 100_000 },
      onError: (err) => print(`sluice consume: ${err.message}`),
    }, runtime);
    for (const part of disk.keys.undone) print(`sluice consume: cut off the part of a write a crash left unfinished: ${part}`);
    const consumer = await jetstream(nc).consumers.get(options.stream, options.name);
    print(`sluice consume: consumer ${options.name} on stream ${options.stream} (${writes.join(",")}), writing to ${options.dir}${options.durable ? " (durable)" : ""}; ${made}`);
    return run(nc, jsm, consumer, disk, state, streamId, subjectCheck(info.config.subjects), options, print);
  } catch (err) {
    await disk?.close();
    state?.release();
    await nc.close();
    throw err;
  }
}

function run(nc: NatsConnection, jsm: JetStreamManager, consumer: Consumer, disk: DiskWriter, state: NonNullable<ReturnType<typeof openConsumeState>>, streamId: string, onSubject: ReturnType<typeof subjectCheck>, options: ConsumeOptions, print: (line: string) => void): RunningConsumer {
  const counts: ConsumeCounts = { messages: 0, records: 0, skipped: 0, deadLettered: 0, diskRetries: 0 };
  let floor = state.floor;
  let stopping = false;
  let batch: ConsumerMessages | undefined;
  const refreshFloor = async () => {
    try {
      const seq = (await jsm.consumers.info(options.stream, options.name)).ack_floor.stream_seq;
      if (seq > floor) state.saveFloor((floor = seq));
    } catch { /* the cluster is electing a leader, or away: the next refresh tries again */ }
  };
  const timer = setInterval(refreshFloor, FLOOR_EVERY_MS);
  const handle = async (m: JsMsg) => {
    const key: ScopedKey = { token: streamId, hash: sequenceKey(m.seq) };
    if (m.seq <= floor || disk.keys.has(key)) {
      m.ack();
      counts.skipped++;
      return;
    }
    // a message in sluice's own form is appended as it is (inflated when gzipped); any other is read into records
    let text: Uint8Array;
    let lines: ReturnType<typeof appendableLines>;
    let records: LogRecord[] | undefined;
    try {
      text = messageText(m.data);
      lines = appendableLines(text);
      if (lines === undefined) records = decodeMessage(m.data); // from the payload: the text is inflated already, once is all
      const wrong = onSubject(m.subject, records === undefined ? [lines!.category] : new Set(records.map((r) => r.category)));
      if (wrong !== undefined) throw new MessageDecodeError(wrong);
    } catch (err) {
      if (!(err instanceof MessageDecodeError)) throw err;
      deadLetter(options.dir, m, errorMessage(err));
      print(`sluice consume: message ${m.seq} (${m.subject}) does not decode, dead-lettered to ${options.dir}/.sluice/dead/${m.seq}.msg: ${errorMessage(err)}`);
      m.ack();
      counts.deadLettered++;
      return;
    }
    for (;;) {
      try {
        if (records === undefined) disk.writeLines(lines!.category, text, lines!.count, key);
        else disk.write(records, key);
        break;
      } catch (err) {
        if (!(err instanceof DiskWriteError)) throw err;
        if (counts.diskRetries++ === 0 || counts.diskRetries % 60 === 0) print(`sluice consume: the disk refused a write (${err.message}); retrying, nothing is acked meanwhile`);
        if (stopping) return; // not acked: delivered again on the next start
        m.working();
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
    m.ack();
    counts.messages++;
    counts.records += records?.length ?? lines!.count;
  };
  const done = (async () => {
    try {
      let warned = 0;
      let handling = false;
      while (!stopping) {
        try {
          batch = await consumer.consume(PULL);
          for await (const m of batch) {
            handling = true;
            await handle(m);
            handling = false;
            if (stopping) break;
          }
        } catch (err) {
          if (handling) throw err; // not the server's: the dead-letter directory cannot be written, a bug
          // the cluster is electing a leader, or the server is away: fetch again shortly
          if (Date.now() - warned >= WARN_EVERY_MS) (warned = Date.now(), print(`sluice consume: fetching failed (${errorMessage(err)}); trying again`));
          if (!stopping) await new Promise((r) => setTimeout(r, 250));
        }
      }
    } finally {
      clearInterval(timer);
      await nc.flush().catch(() => {}); // the acks leave before the connection closes
      await refreshFloor();
      await disk.close();
      state.release();
      await nc.close();
    }
  })();
  return {
    counts,
    done,
    async stop() {
      stopping = true;
      batch?.stop();
      await done;
    },
  };
}
