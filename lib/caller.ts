/**
 * Caller location for `caller: true`: the file and line of the code that called the log
 * method, from a short stack trace, with a bounded cache of parsed stack lines.
 *
 * @module
 */

/** Frames above the caller's: this function, `Logger#log`, the level method (`#info`, ...). */
const SKIP = 3;
/** Parsed locations kept at most; the cache is emptied when it is full (a program has a bounded set of log sites, so it refills with the live ones). */
export const CALLER_CACHE_MAX = 1000;
const cache = new Map<string, string>();
// deno-lint-ignore no-explicit-any -- V8's and JSC's non-standard Error.stackTraceLimit
const ErrorCtor = Error as any;

/**
 * `file.ts:12` from one stack line (`    at fn (file:///app/src/file.ts:12:5)`, `    at /app/file.ts:12:5`,
 * V8, JSC and Deno formats), cached; `"unknown"` when the line has no location.
 *
 * @param line One line of `Error().stack`.
 * @returns The file's base name and the line number.
 * @example
 * ```ts
 * import { locationOf } from "./caller.ts";
 * locationOf("    at handler (file:///app/src/routes.ts:12:5)"); // "routes.ts:12"
 * ```
 */
export function locationOf(line: string): string {
  let loc = cache.get(line);
  if (loc !== undefined) return loc;
  const m = /([^/\\()\s:]+):(\d+)(?::\d+)?\)?\s*$/.exec(line);
  loc = m === null ? "unknown" : `${m[1]}:${m[2]}`;
  if (cache.size >= CALLER_CACHE_MAX) cache.clear();
  cache.set(line, loc);
  return loc;
}

/**
 * The size of the larger of the two caches, parsed stack lines and file base names (for tests of
 * the bound).
 *
 * @returns The cache's size.
 * @example
 * ```ts
 * import { callerCacheSize } from "./caller.ts";
 * callerCacheSize() <= 1000; // true
 * ```
 */
export function callerCacheSize(): number {
  return Math.max(cache.size, baseNames.size);
}

interface CallSite {
  getFileName(): string | null | undefined;
  getLineNumber(): number | null | undefined;
}
const structured = (_: unknown, sites: CallSite[]) => sites;
const baseNames = new Map<string, string>();

/**
 * The `"caller"` member of a record: where the log method was called from. Called by the
 * logger only; the frame count above the caller is fixed (a caller that does
 * `return log.info(...)` on Bun, whose tail calls drop frames, is reported one level up).
 * Where the engine gives structured call sites (V8: Node, Deno; JSC: Bun) no stack text is
 * formatted; elsewhere the text is parsed.
 *
 * @returns `,"caller":"file.ts:12"`.
 * @example
 * ```ts
 * import { callerMember } from "./caller.ts";
 * // inside Logger#log: head += callerMember();
 * ```
 */
export function callerMember(): string {
  const limit = ErrorCtor.stackTraceLimit;
  const prepare = ErrorCtor.prepareStackTrace;
  ErrorCtor.stackTraceLimit = SKIP + 1;
  ErrorCtor.prepareStackTrace = structured;
  const holder: { stack?: unknown } = {};
  let stack: unknown;
  try {
    if (typeof ErrorCtor.captureStackTrace === "function") ErrorCtor.captureStackTrace(holder);
    stack = holder.stack ?? new Error().stack;
  } finally {
    ErrorCtor.stackTraceLimit = limit;
    ErrorCtor.prepareStackTrace = prepare;
  }
  if (Array.isArray(stack)) {
    const site = stack[SKIP] as CallSite | undefined;
    const file = site?.getFileName();
    if (!file) return ',"caller":"unknown"';
    let base = baseNames.get(file);
    if (base === undefined) {
      base = JSON.stringify(file.slice(Math.max(file.lastIndexOf("/"), file.lastIndexOf("\\")) + 1) + ":").slice(0, -1);
      if (baseNames.size >= CALLER_CACHE_MAX) baseNames.clear();
      baseNames.set(file, base);
    }
    return ',"caller":' + base + site!.getLineNumber() + '"';
  }
  return ',"caller":' + JSON.stringify(locationOf(frameLine(String(stack ?? ""))));
}

/** The caller's line of a stack's text: the first line is "Error", then one line a frame. */
function frameLine(stack: string): string {
  let start = 0;
  for (let i = 0; i <= SKIP; i++) {
    start = stack.indexOf("\n", start) + 1;
    if (start === 0) return "";
  }
  const end = stack.indexOf("\n", start);
  return end < 0 ? stack.slice(start) : stack.slice(start, end);
}
