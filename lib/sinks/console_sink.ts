/**
 * The console sink.
 *
 * @module
 */
import { detectRuntime } from "../runtime/detect.ts";
import type { LevelName } from "../levels.ts";
import type { LogRecord } from "../record.ts";
import type { Runtime } from "../runtime/runtime.ts";
import type { Sink } from "../sink.ts";
import type { RecordStage } from "../stream/stage.ts";
import { withThrough } from "../stream/through.ts";
import { type FormatOption, resolveFormat } from "./format_option.ts";

/**
 * Options of {@linkcode consoleSink}.
 *
 * @example
 * ```ts
 * consoleSink({ level: "warn", format: "text", color: false });
 * ```
 */
export interface ConsoleSinkOptions {
  /** The lowest level written to the console. */
  level?: LevelName;
  /**
   * The line format.
   * @default "text"
   */
  format?: FormatOption;
  /**
   * Colour the level.
   * @default true when standard output is a terminal
   */
  color?: boolean;
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

const METHOD: Record<LevelName, "debug" | "info" | "warn" | "error"> = {
  trace: "debug",
  debug: "debug",
  info: "info",
  warn: "warn",
  error: "error",
  fatal: "error",
};

/**
 * Writes each record to the console with the method of its level (`console.debug` for trace
 * and debug, `info`, `warn`, `error` for error and fatal), so browsers and edge runtimes show
 * levels too. Synchronous, so its default queue policy is `"block"`.
 *
 * @param options Level, format and colour.
 * @returns The sink.
 * @example
 * ```ts
 * import { createLogger, consoleSink } from "../../mod.ts";
 * const log = createLogger({ sinks: [consoleSink({ format: "ndjson" })] });
 * ```
 */
export function consoleSink(options: ConsoleSinkOptions = {}): Sink<[LevelName, string][]> {
  const color = options.color ?? (options.runtime ?? detectRuntime()).isTerminal();
  const format = resolveFormat(options.format ?? "text", color);
  return withThrough({
    name: "console",
    level: options.level,
    sync: true,
    defaultOnFull: "block",
    encode: (records: readonly LogRecord[]) => records.map((r) => [r.level, format(r)]),
    write(lines) {
      for (const [level, line] of lines) console[METHOD[level]](line);
    },
    close() {},
  }, options.through);
}
