/**
 * Caller location for `caller: true`: the file and line of the code that called the log
 * method, left in a shared slot by code that `sluice/caller` transformed at build time, or
 * else from that code's one stack frame, with a bounded cache of file names.
 *
 * @module
 */

/** File names kept at most; the cache is emptied when it is full (a program logs from a bounded set of files, so it refills with the live ones). */
export const CALLER_CACHE_MAX = 1000;
// deno-lint-ignore no-explicit-any -- V8's and JSC's non-standard Error.stackTraceLimit
const ErrorCtor = Error as any;

/**
 * `file.ts:12` from the text of a one-frame stack, whose last line is the frame
 * (`    at fn (file:///app/src/file.ts:12:5)`, `    at /app/file.ts:12:5`, `fn@https://app/file.js:12:5`:
 * V8, JSC and SpiderMonkey formats); `"unknown"` when it has no location. For engines whose
 * call sites are not structured, so not the hot path of Node, Deno, Bun or workerd.
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
  const m = /([^/\\()\s:]+):(\d+)(?::\d+)?\)?\s*$/.exec(line);
  return m === null ? "unknown" : `${m[1]}:${m[2]}`;
}

/**
 * The size of the cache of file base names (for tests of the bound).
 *
 * @returns The cache's size.
 * @example
 * ```ts
 * import { callerCacheSize } from "./caller.ts";
 * callerCacheSize() <= 1000; // true
 * ```
 */
export function callerCacheSize(): number {
  return baseNames.size;
}

interface CallSite {
  getScriptNameOrSourceURL(): string | null | undefined;
  getLineNumber(): number | null | undefined;
}
const structured = (_: unknown, sites: CallSite[]) => sites;
const baseNames = new Map<string, string>();

/**
 * Where code transformed by `sluice/caller` leaves a log call's location, shared by every copy
 * of the library through the global registry: `t` the logger the call is made on, `a` the
 * location as JSON text (`"app.ts:12"`). Written right before the call, after its arguments.
 */
// deno-lint-ignore no-explicit-any -- a slot on globalThis
const slot: { t?: unknown; a?: string } = ((globalThis as any)[Symbol.for("sluice.caller")] ??= {});

/**
 * Empties the slot. It is also what a disabled level method of a logger with `caller: true`
 * is: a location left for a call that writes nothing is forgotten, and no later call can take
 * it. Like any level method, it returns nothing (not the slot's logger).
 *
 * @example
 * ```ts
 * import { forgetCaller } from "./caller.ts";
 * forgetCaller(); // undefined
 * ```
 */
export const forgetCaller = (): void => {
  slot.t = undefined;
};

/** The object the stack is captured on, reused: a capture allocates no holder. */
const holder: { stack?: unknown } = {};

/** The location's start for a file, as JSON text: `"routes.ts:` of `file:///app/src/routes.ts`, cached. */
function quotedBase(file: string): string {
  let start = baseNames.get(file);
  if (start === undefined) {
    if (baseNames.size >= CALLER_CACHE_MAX) baseNames.clear();
    start = JSON.stringify(file.replace(/.*[/\\]/, "") + ":").slice(0, -1);
    baseNames.set(file, start);
  }
  return start;
}

/**
 * The `"caller"` member of a record: where `method` (the level method the user called) was
 * called from. Called by the logger only, before anything of the call runs. A location that
 * code transformed by `sluice/caller` left for a call on `logger` is taken (and the slot
 * emptied, whoever it was for) without any capture. Otherwise the stack is captured from `method`'s caller down,
 * one frame deep (`Error.captureStackTrace(holder, method)` with `Error.stackTraceLimit = 1`),
 * so the engine walks past the logger's own frames without recording them and resolves a
 * single frame to file and line: the cost of a capture grows with each recorded frame
 * (bench/README.md). Where the engine gives structured call sites (V8: Node, Deno, workerd;
 * Bun) no stack text is formatted and file base names are cached; elsewhere the frame's text
 * is parsed. Engines without `Error.captureStackTrace` give `"unknown"`. A caller that does
 * `return log.info(...)` on Bun, whose tail calls drop frames, is reported one level up.
 *
 * @param method The level method that was called (`Logger#info`, ...), the frame to start from.
 * @param logger The logger it was called on.
 * @returns `,"caller":"file.ts:12"`.
 * @example
 * ```ts
 * import { callerMember } from "./caller.ts";
 * // inside Logger#log: head += callerMember(LEVEL_METHODS[level], this);
 * ```
 */
export function callerMember(method: (...args: never[]) => unknown, logger: object): string {
  const t = slot.t;
  forgetCaller();
  if (t === logger) return ',"caller":' + slot.a;
  const limit = ErrorCtor.stackTraceLimit;
  const prepare = ErrorCtor.prepareStackTrace;
  let at: string;
  try {
    ErrorCtor.stackTraceLimit = 1;
    ErrorCtor.prepareStackTrace = structured;
    ErrorCtor.captureStackTrace?.(holder, method);
    const stack = holder.stack;
    const file = Array.isArray(stack) ? (stack[0] as CallSite | undefined)?.getScriptNameOrSourceURL() : undefined;
    // no call sites: the stack's text if the engine made one ("unknown" without Error.captureStackTrace)
    at = file ? quotedBase(file) + (stack as CallSite[])[0].getLineNumber() + '"' : JSON.stringify(locationOf(typeof stack === "string" ? stack : ""));
  } finally {
    ErrorCtor.stackTraceLimit = limit;
    ErrorCtor.prepareStackTrace = prepare;
    holder.stack = undefined;
  }
  return ',"caller":' + at;
}
