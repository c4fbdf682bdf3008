/**
 * The options of {@linkcode createLogger}.
 *
 * @module
 */
import type { LevelThreshold } from "./levels.ts";
import type { LevelSpec } from "./level_spec.ts";
import type { QueueOptions } from "./queue_options.ts";
import type { LogRecord } from "./record.ts";
import type { Runtime } from "./runtime/runtime.ts";
import type { Sink } from "./sink.ts";
import type { BatchLimits } from "./stream/batcher.ts";

/**
 * Options of {@linkcode createLogger}. The queue options (`maxQueuedRecords`, `maxQueuedBytes`,
 * `onFull`) apply to every sink's queue, over each sink's own defaults.
 *
 * @example
 * ```ts
 * import { createLogger, fileSink } from "../mod.ts";
 * const log = createLogger({ level: "info", sinks: [fileSink("./logs/app.ndjson")], redact: ["password"], maxQueuedRecords: 4096, onError: console.error });
 * await log.close();
 * ```
 */
export interface LoggerOptions extends QueueOptions {
  /**
   * The lowest level logged (the default level of `levels` when it names none).
   * @default "info"
   */
  level?: LevelThreshold;
  /**
   * Levels per category: `"info,db=debug,http.*=warn,-noisy"`. A part without `=` is the default
   * level; `pattern=level` sets a category and its descendants (`*` matches any characters);
   * `-pattern` silences; a bare pattern means `pattern=debug`. The most specific pattern wins.
   * When neither `level` nor `levels` is given, the `SLUICE_LEVEL` environment variable is read
   * with the same grammar (where the runtime lets it be read). A malformed spec throws. On the
   * web entry (`sluice/web`, workers), pass `parseLevels(spec)`: the parser stays out of the
   * bundle unless used.
   */
  levels?: string | LevelSpec;
  /**
   * Where records go.
   * @default [consoleSink()]
   */
  // deno-lint-ignore no-explicit-any -- sinks of any chunk type
  sinks?: Sink<any>[];
  /** The root logger's category. */
  category?: string;
  /** Fields added to every record. */
  bindings?: object;
  /**
   * `"async"`: a log call only queues; batches are written off the call. `"sync"`: each call
   * returns after its record is written (every sink must write synchronously).
   * @default "async"
   */
  mode?: "async" | "sync";
  /** Batch limits, for every sink (each sink has its own defaults). */
  batch?: BatchLimits<LogRecord>;
  /** Paths whose values are written as `"[Redacted]"`, such as `"password"` or `"headers.authorization"`. */
  redact?: readonly string[];
  /**
   * Receives every loss report (`LogLossError`) and sink error.
   * @default writes the error to the console's error stream
   */
  onError?: (err: Error) => void;
  /**
   * Write pending records synchronously when the process exits (server entries: a worker or a
   * browser has no process exit).
   * @default true
   */
  exitHooks?: boolean;
  /** The runtime adapter; detected when absent. */
  runtime?: Runtime;
  /**
   * Adds `caller: "file.ts:12"`, where the log method was called, to every record: written
   * into the code by `sluice/caller` at build time, or else from a one-frame stack capture
   * (file names cached, at most 1000). On the web entry the capture is left out of a worker's
   * bundle: call `enableCallerCapture()` first, else `createLogger` throws a TypeError.
   * @default false
   */
  caller?: boolean;
}
