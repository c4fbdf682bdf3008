/**
 * `sluice search`: the query language over a collector's files, offline.
 *
 * @module
 */
import { readTailLine } from "./tail/tail_line.ts";
import { textFormatter } from "../lib/format/text.ts";
import { printable } from "../lib/format/printable.ts";
import { detectRuntime } from "../lib/runtime/detect.ts";
import { QueryError } from "../lib/query/query_error.ts";
import { FileSearcher } from "../collector/search/file_searcher.ts";
import type { RecordSearcher } from "../collector/search/searcher.ts";
import { MAX_SEARCH_LIMIT, SearchInputError, searchRequest } from "../collector/search/search_input.ts";
import type { CommandSpec } from "./flags.ts";
import { POSTGRES_URL_FLAG, TABLE_FLAG, withPostgresSearcher } from "./postgres_command.ts";

/** The flags of `sluice search`. */
export const SEARCH: CommandSpec = {
  name: "search",
  summary: "Search a collector's files (live, rotated, gzipped) with the query language, newest first:\n" +
    "readable lines on a terminal, NDJSON when piped or with --json.",
  positionals: "[QUERY]",
  flags: {
    dir: { type: "string", value: "DIR", default: "./logs", help: "the collector's --dir" },
    since: { type: "string", value: "1h", help: "records from this long ago (ms, s, m, h, d, w), or an ISO 8601 time" },
    from: { type: "string", value: "TIME", help: "records from this time on (ISO 8601, or a time ago such as 2h)" },
    to: { type: "string", value: "TIME", help: "records before this time" },
    limit: { type: "string", value: "N", default: "100", help: `the newest N matches (at most ${MAX_SEARCH_LIMIT})` },
    json: { type: "boolean", help: "print the lines as stored (the default when stdout is not a terminal)" },
    progress: { type: "boolean", help: "report progress on stderr (the default on a terminal, for scans over a second)" },
    postgres: { ...POSTGRES_URL_FLAG, help: "search this PostgreSQL database's table instead of --dir (where serve --postgres or consume --postgres store)" },
    table: { ...TABLE_FLAG, help: "the table (with --postgres)" },
  },
};

const PROGRESS_AFTER_MS = 1000;
const PROGRESS_EVERY_MS = 250;

/**
 * Runs `sluice search`; returns the exit status (2 for a query or argument that is not valid).
 *
 * @param flags The flags.
 * @param positionals The query (its words are joined by spaces).
 * @param searcher What to search. @default the files of `--dir`
 * @returns 0, or 2 for bad input.
 * @example
 * ```ts
 * import { search } from "./search_command.ts";
 * await search({ dir: "./logs", since: "1h" }, ['level:>=warn -"health check"']);
 * ```
 */
export async function search(flags: Record<string, string | boolean | undefined>, positionals: string[], searcher?: RecordSearcher): Promise<number> {
  // deno-lint-ignore no-explicit-any -- an untyped runtime global or driver object (no @types for Bun, Deno and Node here)
  const proc = (globalThis as any).process;
  if (searcher === undefined && flags.postgres !== undefined) return await withPostgresSearcher(flags, (s) => search(flags, positionals, s));
  const runtime = detectRuntime();
  const q = positionals.join(" ");
  const since = flags.since as string | undefined;
  if (since !== undefined && flags.from !== undefined) return fail(proc, "--since and --from name the same thing; give one");
  let request;
  try {
    request = searchRequest({ q, from: since ?? (flags.from as string | undefined), to: flags.to as string | undefined, limit: flags.limit as string | undefined }, Date.now());
  } catch (err) {
    if (err instanceof QueryError) return fail(proc, `the query does not parse: ${err.message}\n  ${q}\n  ${" ".repeat(err.position)}^`);
    if (err instanceof SearchInputError) return fail(proc, err.message.replace(/^(from|to|limit)\b/, (name) => `--${name === "from" && since !== undefined ? "since" : name}`));
    throw err;
  }
  const errTty = proc.stderr.isTTY === true;
  const showProgress = flags.progress === true || errTty;
  const started = Date.now();
  let shownAt = 0;
  const report = (read: number, total: number, done = false) => {
    const now = Date.now();
    if (!showProgress || (!done && (now - started < PROGRESS_AFTER_MS || now - shownAt < PROGRESS_EVERY_MS))) return;
    shownAt = now;
    const text = `sluice search: read ${mb(read)} of ${mb(total)} MB in ${((now - started) / 1000).toFixed(1)} s`;
    proc.stderr.write(errTty ? `\r${text}\x1b[K` : text + "\n");
  };
  let total = 0;
  const page = await (searcher ?? new FileSearcher((flags.dir as string | undefined) ?? "./logs")).search({
    ...request,
    onProgress: (read, all) => report(read, (total = all)),
  });
  if (errTty && shownAt > 0) proc.stderr.write("\r\x1b[K");
  if (flags.progress === true) report(page.scanned?.bytes ?? total, total, true);
  for (const problem of page.scanned?.problems ?? []) proc.stderr.write(`sluice search: could not read all of ${problem}\n`);
  if (page.scanned?.files === 0) {
    const dir = (flags.dir as string | undefined) ?? "./logs";
    proc.stderr.write(`sluice search: no record files in ${dir}${request.from > -Infinity || request.to < Infinity ? " for that time range" : ""} (the collector's --dir?)\n`);
  }
  const text = flags.json !== true && runtime.isTerminal?.() === true ? textFormatter({ color: true }) : undefined;
  const out = page.lines.map((line) => {
    const record = text === undefined ? undefined : readTailLine(line, {})?.record;
    return text === undefined ? line : record === undefined ? printable(line) : text(record);
  });
  if (out.length > 0) await new Promise<void>((resolve) => proc.stdout.write(out.join("\n") + "\n", () => resolve()));
  if (page.cursor !== undefined && (text !== undefined || flags.progress === true)) {
    proc.stderr.write(`sluice search: showing the newest ${page.lines.length}; more match (--limit, or narrow --since/--to)\n`);
  }
  return 0;
}

function fail(proc: { stderr: { write(s: string): void } }, message: string): number {
  proc.stderr.write(`sluice search: ${message}\n`);
  return 2;
}

function mb(bytes: number): string {
  return (bytes / 1e6).toFixed(bytes < 10e6 ? 1 : 0);
}
