/**
 * A sink over any `WritableStream<Uint8Array>`.
 *
 * @module
 */
import type { LevelName } from "../levels.ts";
import type { LogRecord } from "../record.ts";
import type { OnFull, Sink } from "../sink.ts";
import type { BatchLimits } from "../stream/batcher.ts";
import type { RecordStage } from "../stream/stage.ts";
import { withThrough } from "../stream/through.ts";
import { encodeLines } from "../stream/encode_stream.ts";
import { type FormatOption, resolveFormat } from "./format_option.ts";

/**
 * Options of {@linkcode streamSink}.
 *
 * @example
 * ```ts
 * import { streamSink } from "./stream_sink.ts";
 * streamSink(new WritableStream(), { format: "text", onFull: "drop-oldest" });
 * ```
 */
export interface StreamSinkOptions {
  /** The lowest level written. */
  level?: LevelName;
  /**
   * The line format.
   * @default "ndjson"
   */
  format?: FormatOption;
  /** Batch limits for this sink. */
  batch?: BatchLimits<LogRecord>;
  /**
   * The queue policy when the stream falls behind.
   * @default "drop-newest"
   */
  onFull?: Exclude<OnFull, "block">;
  /**
   * Stages each batch of records goes through, in order, before it is encoded:
   * `syncStage(fn)` stages, or `TransformStream`s of record batches. A `TransformStream` has no
   * synchronous form, so with one the sink writes asynchronously: no `"block"` (the default
   * becomes `"drop-newest"`), and what it holds at exit is counted as `exit`.
   */
  through?: readonly RecordStage[];
  /** A name for stats and error reports. @default "stream" */
  name?: string;
}

/**
 * Writes batches of encoded lines to a `WritableStream<Uint8Array>`: a socket, a
 * `TextEncoderStream`-fed pipe, a `CompressionStream`'s writable side, a Worker's port.
 * Writes are asynchronous, so a full queue drops by a counted policy instead of blocking, and
 * whatever is queued when the process exits is counted as lost (`exit`).
 *
 * @param writable Where the bytes go. The sink holds its writer until the logger closes.
 * @param options Level, format, batch limits and queue policy.
 * @returns The sink.
 * @example
 * ```ts
 * import { createLogger, streamSink } from "../../mod.ts";
 * const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
 * const log = createLogger({ sinks: [streamSink(writable)] });
 * ```
 */
export function streamSink(writable: WritableStream<Uint8Array>, options: StreamSinkOptions = {}): Sink<Uint8Array> {
  const format = resolveFormat(options.format ?? "ndjson", false);
  let writer: WritableStreamDefaultWriter<Uint8Array> | undefined;
  const getWriter = () => (writer ??= writable.getWriter());
  return withThrough({
    name: options.name ?? "stream",
    level: options.level,
    sync: false,
    defaultOnFull: options.onFull ?? "drop-newest",
    batch: options.batch,
    queue: { maxQueuedRecords: 16384 },
    encode: (records) => encodeLines(records, format), // LineEncoderStream's synchronous form
    write: (chunk) => getWriter().write(chunk),
    close: () => getWriter().close(),
  }, options.through);
}
