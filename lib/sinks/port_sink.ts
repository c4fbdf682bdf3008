/**
 * A sink that hands batches to another thread as binary frames.
 *
 * @module
 */
import type { LevelName } from "../levels.ts";
import type { LogRecord } from "../record.ts";
import type { Sink } from "../sink.ts";
import type { BatchLimits } from "../stream/batcher.ts";
import type { RecordStage } from "../stream/stage.ts";
import { withThrough } from "../stream/through.ts";
import { recordsFrame } from "../stream/frame_stream.ts";

/**
 * Anything with a `postMessage` that can transfer: a Worker's `self`, a `Worker`, a `MessagePort`, Node's `parentPort`.
 *
 * @example
 * ```ts
 * import { portSink } from "./port_sink.ts";
 * const { port1 } = new MessageChannel();
 * portSink(port1); // a MessagePort, a Worker, a Web Worker's global scope: each is a FramePort
 * ```
 */
export interface FramePort {
  /** Posts a message, moving the listed buffers instead of copying them. */
  postMessage(message: unknown, transfer: ArrayBuffer[]): void;
}

/**
 * Options of {@linkcode portSink}.
 *
 * @example
 * ```ts
 * import { portSink } from "./port_sink.ts";
 * portSink(new MessageChannel().port1, { level: "info", batch: { maxRecords: 500 } });
 * ```
 */
export interface PortSinkOptions {
  /** The lowest level sent. */
  level?: LevelName;
  /** Batch limits. @default the logger's */
  batch?: BatchLimits<LogRecord>;
  /**
   * Stages each batch of records goes through, in order, before it is encoded:
   * `syncStage(fn)` stages, or `TransformStream`s of record batches. A `TransformStream` has no
   * synchronous form, so with one the sink writes asynchronously: no `"block"` (the default
   * becomes `"drop-newest"`), and what it holds at exit is counted as `exit`.
   */
  through?: readonly RecordStage[];
  /** A name for stats and reports. @default "port" */
  name?: string;
}

/**
 * Posts each batch as one binary frame (`lib/format/frame.ts`) to `port`, transferring its
 * bytes, for a writer on another thread to receive with {@linkcode receiveFrames}: many workers
 * fan in to one logger and its files. Posting is synchronous, so the queue's `"block"` policy
 * and the exit drain work as they do for files: nothing logged before exit is left behind in
 * the worker.
 *
 * @param port Where frames go.
 * @param options Level, batch limits, name.
 * @returns The sink.
 * @example In a worker (its global scope is the port; not run by the doc tests, which are no worker)
 * ```ts ignore
 * import { createLogger, type FramePort, portSink } from "sluice";
 * const log = createLogger({ sinks: [portSink(self as unknown as FramePort)] }); // a Web Worker's global scope
 * log.info("job done", { id: 7 });
 * ```
 */
export function portSink(port: FramePort, options: PortSinkOptions = {}): Sink<Uint8Array> {
  return withThrough({
    name: options.name ?? "port",
    level: options.level,
    sync: true,
    defaultOnFull: "block",
    batch: options.batch,
    encode: recordsFrame,
    write: (frame) => port.postMessage(frame, [frame.buffer as ArrayBuffer]),
    close: () => {}, // the port is the application's: left open
  }, options.through);
}
