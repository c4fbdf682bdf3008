/**
 * `sluice tail`: shows the last records of log files, merged by time, and follows them.
 *
 * @module
 */
import { errorMessage } from "../lib/errors.ts";
import { LEVEL_NAMES, type LevelName } from "../lib/levels.ts";
import { detectRuntime } from "../lib/runtime/detect.ts";
import { textFormatter } from "../lib/format/text.ts";
import { type CommandSpec, positiveDuration, wholeNumber } from "./flags.ts";
import { FileTail } from "./tail/file_tail.ts";
import type { TailLine } from "./tail/tail_line.ts";

/** The flags of `sluice tail`. */
export const TAIL: CommandSpec = {
  name: "tail",
  summary: "Show the last records of log files (files, or directories of .ndjson files; default ./logs), merged by time, and follow them.",
  positionals: "[PATH...]",
  flags: {
    lines: { type: "string", value: "N", default: "10", help: "records shown first" },
    follow: { type: "boolean", short: "f", help: "keep showing records as they are written (across rotation)" },
    level: { type: "string", value: "LEVEL", help: `only records at that level or above (${LEVEL_NAMES.join(", ")})` },
    category: { type: "string", value: "NAME", help: "only that category and those under it (http takes http.db)" },
    producer: { type: "string", value: "NAME", help: "only that producer's records" },
    json: { type: "boolean", help: "print the lines as written (default: text, colour on a TTY)" },
    interval: { type: "string", value: "250ms", default: "250ms", help: "how often to look when following" },
  },
};

/**
 * Runs `sluice tail`.
 *
 * @example
 * ```ts
 * import { tail } from "./tail_command.ts";
 * await tail({ lines: "20", level: "warn" }, ["./logs"]);
 * ```
 */
export async function tail(flags: Record<string, string | boolean | undefined>, paths: string[]): Promise<void> {
  // deno-lint-ignore no-explicit-any -- an untyped runtime global or driver object (no @types for Bun, Deno and Node here)
  const proc = (globalThis as any).process;
  const level = flags.level as LevelName | undefined;
  if (level !== undefined && !LEVEL_NAMES.includes(level)) throw new TypeError(`sluice tail: --level must be one of ${LEVEL_NAMES.join(", ")}`);
  const lines = wholeNumber((flags.lines as string | undefined) ?? "10", "sluice tail: --lines", 0);
  const interval = positiveDuration((flags.interval as string | undefined) ?? "250ms", "sluice tail: --interval");
  const runtime = detectRuntime();
  const text = textFormatter({ color: runtime.isTerminal() });
  const json = flags.json === true;
  const print = (l: TailLine) => (json || l.record === undefined ? l.raw : text(l.record));
  let out: string[] = [];
  const t = new FileTail(paths.length ? paths : ["./logs"], {
    fs: runtime.fs!,
    lines,
    filter: { level, category: flags.category as string | undefined, producer: flags.producer as string | undefined },
    onLine: (l) => out.push(print(l)),
    onWarning: (m) => console.error(m),
  });
  const show = () => {
    if (out.length) proc.stdout.write(out.join("\n") + "\n");
    out = [];
  };
  t.showLast();
  show();
  if (flags.follow !== true) return t.close();
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      try {
        t.poll();
        show();
      } catch (err) {
        console.error(errorMessage(err));
      }
    }, interval);
    const stop = () => (clearInterval(timer), t.close(), resolve());
    proc.once("SIGINT", stop);
    proc.once("SIGTERM", stop);
  });
}
