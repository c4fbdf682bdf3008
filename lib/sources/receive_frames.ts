/**
 * The receiving end of {@linkcode portSink}: frames from other threads into one logger.
 *
 * @module
 */
import { errorMessage } from "../errors.ts";
import { decodeFrames } from "../format/frame.ts";
import { ownLines, parseNdjson } from "../format/ndjson_decode.ts";
import type { Logger } from "../logger.ts";

/**
 * A message source: a `Worker`, a `MessagePort` (either kind of listener), or Node's `Worker`.
 *
 * @example A worker's frames into this thread's logger (needs the worker's file: not run by the doc tests)
 * ```ts ignore
 * import { createLogger, receiveFrames } from "../../mod.ts";
 * const log = createLogger();
 * receiveFrames(new Worker(new URL("./job.ts", import.meta.url), { type: "module" }), log);
 * ```
 */
export type FrameSource =
  | { addEventListener(type: "message", listener: (ev: { data: unknown }) => void): void; removeEventListener(type: "message", listener: (ev: { data: unknown }) => void): void }
  | { on(type: "message", listener: (data: unknown) => void): unknown; off(type: "message", listener: (data: unknown) => void): unknown };

/**
 * Options of {@linkcode receiveFrames}.
 *
 * @example
 * ```ts
 * import { createLogger, receiveFrames } from "../../mod.ts";
 * const { port1: worker } = new MessageChannel(); // or a Worker
 * receiveFrames(worker, createLogger(), { producer: "job-1", maxLineBytes: 1 << 20, onError: console.error });
 * ```
 */
export interface ReceiveFramesOptions {
  /** Added to each record as `producer`, as the collector does. @default "worker" */
  producer?: string;
  /** The longest line taken. @default 1 MiB */
  maxLineBytes?: number;
  /**
   * Told of each frame or line that is refused (it is also counted).
   * @default logs an `error` record, category `sluice`, into the receiving logger
   */
  onError?: (err: Error) => void;
}

/**
 * What a receiver has seen.
 *
 * @example
 * ```ts
 * import { createLogger, receiveFrames } from "../../mod.ts";
 * const { port1: worker } = new MessageChannel(); // or a Worker
 * const { frames, records, refusedFrames, refusedLines } = receiveFrames(worker, createLogger()).stats();
 * ```
 */
export interface FrameReceiverStats {
  /** Frames taken. */
  frames: number;
  /** Records handed to the logger. */
  records: number;
  /** Frames refused whole (truncated, corrupt, of another version). */
  refusedFrames: number;
  /** Lines refused inside good frames (not a record). */
  refusedLines: number;
}

/**
 * A running receiver.
 *
 * @example
 * ```ts
 * import { createLogger, receiveFrames } from "../../mod.ts";
 * const { port1: worker } = new MessageChannel(); // or a Worker
 * const rx = receiveFrames(worker, createLogger());
 * rx.stats().records;
 * rx.close();
 * ```
 */
export interface FrameReceiver {
  /** Counters so far. */
  stats(): FrameReceiverStats;
  /** Stops listening. */
  close(): void;
}

/**
 * Listens on `source` for frames posted by {@linkcode portSink} and hands their records to
 * `log` (`log.emit`), tagged with `producer`. Messages that are not byte arrays are left to the
 * application; a damaged frame is refused whole, counted and reported.
 *
 * @param source The worker or port frames arrive on.
 * @param log The logger that writes them.
 * @param options Producer name, line limit, error handler.
 * @returns The receiver: its counters and `close()`.
 * @example
 * ```ts
 * import { createLogger, fileSink, portSink, receiveFrames } from "sluice";
 * const log = createLogger({ sinks: [fileSink("./logs/app.ndjson")] });
 * // a worker logs with createLogger({ sinks: [portSink(self)] }); a MessageChannel stands in for it here
 * const { port1, port2 } = new MessageChannel();
 * const rx = receiveFrames(port1, log, { producer: "job-1" });
 * const job = createLogger({ sinks: [portSink(port2)] });
 * job.info("job done", { id: 7 });
 * await job.close();
 * while (rx.stats().records < 1) await new Promise((r) => setTimeout(r, 5)); // the frame crosses
 * rx.close();
 * port2.close();
 * await log.close(); // ./logs/app.ndjson: {"time":"…","level":"info","msg":"job done","id":7,"producer":"job-1"}
 * ```
 */
export function receiveFrames(source: FrameSource, log: Logger, options: ReceiveFramesOptions = {}): FrameReceiver {
  const producer = options.producer ?? "worker";
  const maxLineBytes = options.maxLineBytes ?? 1 << 20;
  const report = options.onError ?? ((err: Error) => log.child({}, { category: "sluice" }).error(err.message, { producer }));
  const stats: FrameReceiverStats = { frames: 0, records: 0, refusedFrames: 0, refusedLines: 0 };
  const take = (data: unknown) => {
    if (!(data instanceof Uint8Array)) return;
    let text: string;
    try {
      text = decodeFrames(data);
    } catch (err) {
      stats.refusedFrames++;
      return report(new Error(`sluice: a frame from ${producer} was refused: ${errorMessage(err)}`, { cause: err }));
    }
    stats.frames++;
    const parsed = parseNdjson(text, producer, maxLineBytes);
    // lines of their own: the logger's levels or a full queue may keep only some of a frame's records
    ownLines(parsed.records);
    for (const r of parsed.records) log.emit(r);
    stats.records += parsed.records.length;
    if (parsed.errors.length > 0) {
      stats.refusedLines += parsed.errors.length;
      const first = parsed.errors[0];
      report(new Error(`sluice: ${parsed.errors.length} lines from ${producer} were refused; line ${first.line}: ${first.error}`));
    }
  };
  const onEvent = (ev: { data: unknown }) => take(ev.data);
  if ("addEventListener" in source) {
    source.addEventListener("message", onEvent);
    // a web MessagePort delivers nothing until started (Bun and Node start it on their own; Deno and browsers do not)
    (source as { start?: () => void }).start?.();
  } else source.on("message", take);
  return {
    stats: () => ({ ...stats }),
    close() {
      if ("removeEventListener" in source) source.removeEventListener("message", onEvent);
      else source.off("message", take);
    },
  };
}
