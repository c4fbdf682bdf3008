/**
 * `sluice tail`: shows the last records of log files, merged by time, and follows them.
 *
 * @module
 */
import { errorMessage } from "../lib/errors.ts";
import { LEVEL_NAMES, type LevelName } from "../lib/levels.ts";
import { detectRuntime } from "../lib/runtime/detect.ts";
import { textFormatter } from "../lib/format/text.ts";
import { printable } from "../lib/format/printable.ts";
import { type CommandSpec, positiveDuration, wholeNumber } from "./flags.ts";
import { FileTail } from "./tail/file_tail.ts";
import { readTailLine, type TailLine } from "./tail/tail_line.ts";
import { followRemote } from "./tail/remote_tail.ts";

/** The flags of `sluice tail`. */
export const TAIL: CommandSpec = {
  name: "tail",
  summary: "Show the last records of log files (files, or directories of .ndjson files; default ./logs), merged by time, and follow them;\nor, with --remote URL --token T [QUERY], follow a collector's /api/tail (reconnecting from the last record seen).",
  positionals: "[PATH... | QUERY]",
  flags: {
    lines: { type: "string", value: "N", default: "10", help: "records shown first (with --remote: of those the collector keeps)" },
    follow: { type: "boolean", short: "f", help: "keep showing records as they are written (across rotation)" },
    level: { type: "string", value: "LEVEL", help: `only records at that level or above (${LEVEL_NAMES.join(", ")})` },
    category: { type: "string", value: "NAME", help: "only that category and those under it (http takes http.db)" },
    producer: { type: "string", value: "NAME", help: "only that producer's records" },
    json: { type: "boolean", help: "print the lines as written (the default when stdout is not a terminal; on one: text in colour)" },
    interval: { type: "string", value: "250ms", default: "250ms", help: "how often to look when following" },
    remote: { type: "string", value: "URL", help: "follow this collector's /api/tail instead of files; the arguments are the query" },
    token: { type: "string", value: "TOKEN", help: "a read token for --remote (or env SLUICE_READ_TOKEN)" },
  },
};

/** `--remote URL --token T [QUERY]`: follows the collector until SIGINT or SIGTERM. */
async function tailRemote(flags: Record<string, string | boolean | undefined>, query: string, backlog: number, show: (l: TailLine) => void): Promise<void> {
  // deno-lint-ignore no-explicit-any -- an untyped runtime global or driver object (no @types for Bun, Deno and Node here)
  const proc = (globalThis as any).process;
  const url = flags.remote as string;
  if (!/^https?:\/\/[^/]/.test(url)) throw new TypeError(`sluice tail: --remote must be the collector's URL, such as http://127.0.0.1:8080, got ${JSON.stringify(url)}`);
  const token = (flags.token as string | undefined) ?? proc.env.SLUICE_READ_TOKEN;
  if (!token) throw new TypeError("sluice tail: --remote needs --token (a read token: `sluice token --dir DIR` on the collector shows it) or env SLUICE_READ_TOKEN");
  for (const f of ["level", "category", "producer"]) if (flags[f] !== undefined) throw new TypeError(`sluice tail: --${f} is for files; with --remote, say it in the query (level:>=warn category:http producer:edge-1)`);
  const stop = new AbortController();
  proc.once("SIGINT", () => stop.abort());
  proc.once("SIGTERM", () => stop.abort());
  await followRemote({
    url,
    token,
    query,
    backlog,
    signal: stop.signal,
    onLine: (raw) => show(readTailLine(raw, {})!),
    onNotice: (m) => console.error(m),
  });
}

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
  const text = textFormatter({ color: runtime.isTerminal?.() === true });
  // the lines as stored when piped (NDJSON, for `| sluice pretty`, jq, a file), readable text on a terminal
  const json = flags.json === true || !runtime.isTerminal?.() === true;
  // a line that is no record is shown on a terminal as text too, its control characters escaped
  const print = (l: TailLine) => (json ? l.raw : l.record === undefined ? printable(l.raw) : text(l.record));
  if (flags.remote !== undefined) return await tailRemote(flags, paths.join(" "), lines, (line) => proc.stdout.write(print(line) + "\n"));
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
