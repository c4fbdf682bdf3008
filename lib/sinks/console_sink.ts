/**
 * The console sink.
 *
 * @module
 */
import { detectRuntime } from "../runtime/detect.ts";
import type { LevelName } from "../levels.ts";
import type { Runtime } from "../runtime/runtime.ts";
import type { Sink } from "../sink.ts";
import type { RecordStage } from "../stream/stage.ts";
import { withThrough } from "../stream/through.ts";
import { consoleLines } from "./console_lines.ts";
import type { ConsoleTerminal } from "./console_terminal.ts";
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
   * The line format. `"auto"`: on Bun, Deno and Node, the pretty format (aligned, coloured,
   * errors with their stack) when standard output is a terminal or `FORCE_COLOR` is set, else
   * NDJSON, every level to standard output (so `app | sluice pretty` sees errors too); in a
   * browser or worker, NDJSON with each level's console method.
   * @default "auto"
   */
  format?: FormatOption | "auto";
  /**
   * Colour the text and pretty formats.
   * @default on a terminal, unless `NO_COLOR` is set; always with `FORCE_COLOR` (Bun, Deno, Node)
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

let terminal: ConsoleTerminal | undefined;

/**
 * Gives `consoleSink` what it knows of terminals in a server runtime (done once, by
 * `server_runtimes.ts`), for its `"auto"` format and colour.
 *
 * @param t The terminal knowledge.
 * @example
 * ```ts
 * import { registerConsoleTerminal } from "./console_sink.ts";
 * import { consoleTerminal } from "./console_terminal.ts";
 * registerConsoleTerminal(consoleTerminal);
 * ```
 */
export function registerConsoleTerminal(t: ConsoleTerminal): void {
  terminal = t;
}

/**
 * Writes each record to the console with the method of its level (`console.debug` for trace
 * and debug, `info`, `warn`, `error` for error and fatal), so browsers and edge runtimes show
 * levels too. Its default format, `"auto"`, writes aligned, coloured lines on a terminal and
 * NDJSON, every level to standard output, when piped (Bun, Deno, Node; `NO_COLOR` and
 * `FORCE_COLOR` honoured), and NDJSON with each level's method in a browser or worker (what
 * edge platforms' log pipelines read as fields; `format: "text"` gives text lines there).
 * Synchronous, so its default queue policy is `"block"`.
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
  const runtime = options.runtime ?? detectRuntime();
  const t = terminal?.(runtime, options.color) ?? { color: options.color ?? runtime.isTerminal?.() === true };
  const f = options.format ?? "auto";
  const format = resolveFormat(f === "auto" ? t.auto ?? "ndjson" : f, t.color);
  const stdout = f === "auto" && t.stdout;
  return withThrough(consoleLines(format, stdout, options.level), options.through);
}
