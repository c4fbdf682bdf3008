/**
 * The console's lines: the part of the console sink every entry carries, and the default sink of
 * a logger made without sinks.
 *
 * @module
 */
import { formatNdjson } from "../format/ndjson.ts";
import type { Formatter } from "../format/formatter.ts";
import type { LevelName } from "../levels.ts";
import type { LogRecord } from "../record.ts";
import type { Runtime } from "../runtime/runtime.ts";
import type { Sink } from "../sink.ts";

const method = (level: LevelName) => level === "trace" ? "debug" : level === "fatal" ? "error" : level;

/**
 * Writes each record's line, made by `format`, with one console call: `console.log` when
 * `stdout`, else the method of its level (`console.debug` for trace and debug, `info`, `warn`,
 * `error` for error and fatal). Synchronous, so its default queue policy is `"block"`.
 *
 * @param format The line of a record.
 * @param stdout Every level to `console.log` (standard output).
 * @param level The sink's lowest level.
 * @returns The sink.
 * @example
 * ```ts
 * import { consoleLines } from "./console_lines.ts";
 * import { formatNdjson } from "../format/ndjson.ts";
 * const sink = consoleLines(formatNdjson);
 * ```
 */
export function consoleLines(format: Formatter, stdout = false, level?: LevelName): Sink<[LevelName, string][]> {
  return {
    name: "console",
    level,
    sync: true,
    defaultOnFull: "block",
    encode: (records: readonly LogRecord[]) => records.map((r) => [r.level, format(r)]),
    write(lines) {
      for (const [level, line] of lines) console[stdout ? "log" : method(level)](line);
    },
    close() {},
  };
}

/**
 * The sink of a logger made without `sinks`: `consoleSink()` on Bun, Deno and Node (registered
 * by `adapters/server_runtimes.ts` with {@linkcode registerDefaultSink}); in a browser or worker,
 * the record's JSON with one `console.debug/info/warn/error` call a record, as `consoleSink()`'s
 * `"auto"` writes there.
 *
 * @example
 * ```ts
 * import { defaultSink } from "./console_lines.ts";
 * import { detectRuntime } from "../runtime/detect.ts";
 * const sink = defaultSink(detectRuntime());
 * ```
 */
export let defaultSink = (_runtime: Runtime): Sink<unknown> => consoleLines(formatNdjson) as Sink<unknown>;

/**
 * Replaces {@linkcode defaultSink} (done by `adapters/server_runtimes.ts` with `consoleSink`).
 *
 * @param make Makes the default sink for a runtime.
 * @example
 * ```ts
 * import { registerDefaultSink } from "./console_lines.ts";
 * import { consoleSink } from "./console_sink.ts";
 * registerDefaultSink((runtime) => consoleSink({ runtime }));
 * ```
 */
export function registerDefaultSink(make: (runtime: Runtime) => Sink<unknown>): void {
  defaultSink = make;
}
