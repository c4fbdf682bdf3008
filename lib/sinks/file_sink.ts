/**
 * The file sinks: one file, or one file with rotation.
 *
 * @module
 */
import { errorMessage } from "../errors.ts";
import { detectRuntime } from "../runtime/detect.ts";
import { reopenEach, type RotateOptions, RotatingFile } from "../files/rotating_file.ts";
import { formatLines } from "../format/formatter.ts";
import type { LevelName } from "../levels.ts";
import type { LogRecord } from "../record.ts";
import type { Runtime } from "../runtime/runtime.ts";
import type { Sink } from "../sink.ts";
import type { BatchLimits } from "../stream/batcher.ts";
import type { RecordStage } from "../stream/stage.ts";
import { withThrough } from "../stream/through.ts";
import { FLAT_ROTATION, refuseRenamed } from "../renamed_options.ts";
import { type FormatOption, resolveFormat } from "./format_option.ts";

/**
 * Options of {@linkcode fileSink}, shared by every file sink.
 *
 * @example
 * ```ts
 * import { fileSink } from "../../mod.ts";
 * fileSink("./logs/app.ndjson", { level: "info", durable: true });
 * ```
 */
export interface FileSinkOptions {
  /** The lowest level written to this file. */
  level?: LevelName;
  /**
   * The line format.
   * @default "ndjson"
   */
  format?: FormatOption;
  /**
   * fsync the file before `flush()` resolves.
   * @default false
   */
  durable?: boolean;
  /** Batch limits for this file. */
  batch?: BatchLimits<LogRecord>;
  /**
   * Reopen the file on SIGHUP, for external log rotation.
   * @default false for fileSink, true for rotatingFileSink and categoryFileSink
   */
  reopenOnSighup?: boolean;
  /**
   * Stages each batch of records goes through, in order, before it is encoded:
   * `syncStage(fn)` stages, or `TransformStream`s of record batches. A `TransformStream` has no
   * synchronous form, so with one the sink writes asynchronously: no `"block"` (the default
   * becomes `"drop-newest"`), and what it holds at exit is counted as `exit`.
   */
  through?: readonly RecordStage[];
  /** The runtime adapter; detected when absent. */
  runtime?: Runtime;
}

/**
 * Options of {@linkcode rotatingFileSink}: a file sink's, and when to rotate, nested under
 * `rotate` as for every sink that rotates (flat rotation options are refused).
 *
 * @example
 * ```ts
 * import { rotatingFileSink } from "../../mod.ts";
 * rotatingFileSink("./logs/app.ndjson", { rotate: { interval: "hourly", maxAgeMs: 7 * 86_400_000 } });
 * ```
 */
export interface RotatingFileSinkOptions extends FileSinkOptions {
  /** Rotation and retention: size, interval, files kept, age, compression. */
  rotate?: RotateOptions;
}

/**
 * The runtime a file sink runs on: the one given or detected, which must have files.
 *
 * @param runtime The runtime from the options, if any.
 * @returns The runtime; throws a `TypeError` where there is no file system.
 * @example
 * ```ts
 * import "../../mod.ts"; // the server entry registers the Bun, Deno and Node runtimes
 * import { fileRuntime } from "./file_sink.ts";
 * const runtime = fileRuntime(undefined);
 * ```
 */
export function fileRuntime(runtime: Runtime | undefined): Runtime {
  const r = runtime ?? detectRuntime();
  if (r.openFile === undefined) {
    throw new TypeError(`sluice: file sinks need a file system, and the ${r.name} runtime has none; use httpSink or streamSink`);
  }
  return r;
}

/**
 * Appends records to a file, creating it and its directory. The file is opened when the sink
 * is made, so a path that cannot be written fails here, with the OS's reason. Batches are
 * written off the log call, synchronously into the OS, with node:fs on Bun and Node and an
 * FsFile on Deno (see adapters/); that is what lets the default `"block"`
 * policy and the exit hook write everything, in order, and lose nothing. A failed write (a
 * full disk) is reported and retried, not dropped.
 *
 * @param path The file.
 * @param options Level, format, durability and batch limits.
 * @returns The sink.
 * @example
 * ```ts
 * import { createLogger, fileSink } from "../../mod.ts";
 * const log = createLogger({ sinks: [fileSink("./logs/app.ndjson", { durable: true })] });
 * ```
 */
export function fileSink(path: string, options: FileSinkOptions = {}): Sink<string> {
  refuseRenamed("fileSink", options, FLAT_ROTATION);
  return rotatingFileSink(path, { reopenOnSighup: false, ...options });
}

/**
 * A file sink that rotates by size (`rotate.maxBytes`) and by interval, whichever comes first,
 * keeps `rotate.maxFiles` rotated files younger than `rotate.maxAgeMs`, and gzips them in the background when asked. Rotated
 * names sort by time: `app.2026-11-22T17-14-28-123Z.ndjson[.gz]`. No line is lost,
 * duplicated or split across a rotation. `log.reopen()`, and SIGHUP unless
 * `reopenOnSighup: false`, reopen the file for external logrotate.
 *
 * @param path The live file.
 * @param options Rotation and retention, plus the file sink's options.
 * @returns The sink.
 * @example
 * ```ts
 * import { createLogger, rotatingFileSink } from "../../mod.ts";
 * const log = createLogger({ sinks: [
 *   rotatingFileSink("./logs/app.ndjson", { rotate: { maxBytes: 10_000_000, interval: "daily", maxFiles: 14, compress: "gzip" } }),
 * ] });
 * ```
 */
export function rotatingFileSink(path: string, options: RotatingFileSinkOptions = {}): Sink<string> {
  refuseRenamed("rotatingFileSink", options, FLAT_ROTATION);
  const runtime = fileRuntime(options.runtime);
  const format = resolveFormat(options.format ?? "ndjson", false);
  let report: (err: Error) => void = () => {};
  const file = new RotatingFile(path, options.rotate ?? {}, runtime, (err) => report(err), options.durable ?? false);
  try {
    file.open();
  } catch (err) {
    throw new Error(`sluice: cannot open log file ${path}: ${errorMessage(err)}`, { cause: err });
  }
  const durable = options.durable ?? false;
  const unhook = (options.reopenOnSighup ?? true ? runtime.onReopenSignal?.(() => reopenEach([file], report)) : undefined) ?? (() => {});
  return withThrough({
    name: `file:${path}`,
    level: options.level,
    sync: true,
    retry: true,
    defaultOnFull: "block",
    batch: options.batch,
    connect: (hooks) => void (report = hooks.report),
    encode: (records) => formatLines(records, format),
    write: (text) => file.write(text),
    flush: () => (durable ? file.sync() : file.flush()),
    reopen: () => file.reopen(),
    close() {
      unhook();
      return file.close();
    },
  }, options.through);
}
