/**
 * Caller location for `caller: true`: the file and line of the code that called the log
 * method, from that code's one stack frame, with bounded caches of file names and parsed
 * stack text.
 *
 * @module
 */

/** Parsed locations kept at most; the cache is emptied when it is full (a program has a bounded set of log sites, so it refills with the live ones). */
export const CALLER_CACHE_MAX = 1000;
const cache = new Map<string, string>();
// deno-lint-ignore no-explicit-any -- V8's and JSC's non-standard Error.stackTraceLimit
const ErrorCtor = Error as any;

/**
 * `file.ts:12` from the text of a one-frame stack, whose last line is the frame
 * (`    at fn (file:///app/src/file.ts:12:5)`, `    at /app/file.ts:12:5`, `fn@https://app/file.js:12:5`:
 * V8, JSC and SpiderMonkey formats), cached; `"unknown"` when it has no location.
 *
 * @param line A stack's text.
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
  getScriptNameOrSourceURL(): string | null | undefined;
  getLineNumber(): number | null | undefined;
}
const structured = (_: unknown, sites: CallSite[]) => sites;
const baseNames = new Map<string, string>();

/** The object the stack is captured on, reused: a capture allocates no holder. */
const holder: { stack?: unknown } = {};

/**
 * The `"caller"` member of a record: where `method` (the level method the user called) was
 * called from. Called by the logger only. The stack is captured from `method`'s caller down,
 * one frame deep (`Error.captureStackTrace(holder, method)` with `Error.stackTraceLimit = 1`),
 * so the engine walks past the logger's own frames without recording them and resolves a
 * single frame to file and line: the cost of a capture grows with each recorded frame
 * (bench/README.md). Where the engine gives structured call sites (V8: Node, Deno, workerd;
 * Bun) no stack text is formatted and file base names are cached; elsewhere the frame's text
 * is parsed. Engines without `Error.captureStackTrace` give `"unknown"`. A caller that does
 * `return log.info(...)` on Bun, whose tail calls drop frames, is reported one level up.
 *
 * @param method The level method that was called (`Logger#info`, ...), the frame to start from.
 * @returns `,"caller":"file.ts:12"`.
 * @example
 * ```ts
 * import { callerMember } from "./caller.ts";
 * // inside Logger#log: head += callerMember(LEVEL_METHODS[level]);
 * ```
 */
export function callerMember(method: (...args: never[]) => unknown): string {
  if (typeof ErrorCtor.captureStackTrace !== "function") return ',"caller":"unknown"';
  const limit = ErrorCtor.stackTraceLimit;
  const prepare = ErrorCtor.prepareStackTrace;
  ErrorCtor.stackTraceLimit = 1;
  ErrorCtor.prepareStackTrace = structured;
  let stack: unknown;
  try {
    ErrorCtor.captureStackTrace(holder, method);
    stack = holder.stack;
  } finally {
    ErrorCtor.stackTraceLimit = limit;
    ErrorCtor.prepareStackTrace = prepare;
    holder.stack = undefined;
  }
  if (!Array.isArray(stack)) return ',"caller":' + JSON.stringify(locationOf(String(stack ?? "")));
  const site = stack[0] as CallSite | undefined;
  const file = site?.getScriptNameOrSourceURL();
  if (!file) return ',"caller":"unknown"';
  let base = baseNames.get(file);
  if (base === undefined) {
    base = JSON.stringify(file.slice(Math.max(file.lastIndexOf("/"), file.lastIndexOf("\\")) + 1) + ":").slice(0, -1);
    if (baseNames.size >= CALLER_CACHE_MAX) baseNames.clear();
    baseNames.set(file, base);
  }
  return ',"caller":' + base + site!.getLineNumber() + '"';
}
