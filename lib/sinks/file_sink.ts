/**
 * The file sink.
 *
 * @module
 */
import { detectRuntime } from "../../adapters/detect.ts";
import { formatLines } from "../format/formatter.ts";
import type { LevelName } from "../levels.ts";
import type { LogRecord } from "../record.ts";
import type { Runtime } from "../runtime.ts";
import type { Sink } from "../sink.ts";
import type { BatchLimits } from "../stream/batcher.ts";
import { type FormatOption, resolveFormat } from "./format_option.ts";

/** Options of {@linkcode fileSink}. */
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
  /** The runtime adapter; detected when absent. */
  runtime?: Runtime;
}

/**
 * Appends records to a file, creating it and its directory. The file is opened when the sink
 * is made, so a path that cannot be written fails here, with the OS's reason. Batches are
 * written off the log call, synchronously into the OS, with `Bun.file().writer()` on Bun,
 * `Deno.FsFile` on Deno and `node:fs` on Node; that is what lets the default `"block"`
 * policy and the exit hook write everything, in order, and lose nothing.
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
  const runtime = options.runtime ?? detectRuntime();
  if (runtime.openFile === undefined) {
    throw new TypeError(`sluice: fileSink needs a file system, and the ${runtime.name} runtime has none; use httpSink or streamSink`);
  }
  const format = resolveFormat(options.format ?? "ndjson", false);
  let file;
  try {
    file = runtime.openFile(path);
  } catch (err) {
    throw new Error(`sluice: cannot open log file ${path}: ${(err as Error)?.message ?? err}`, { cause: err });
  }
  const durable = options.durable ?? false;
  return {
    name: `file:${path}`,
    level: options.level,
    sync: true,
    defaultOnFull: "block",
    batch: options.batch,
    encode: (records) => formatLines(records, format),
    write: (text) => file.write(text),
    flush: () => (durable ? file.sync() : file.flush()),
    close: () => file.close(),
  };
}
