/**
 * The stack capture behind `caller: true` for calls that `sluice/caller` did not transform:
 * one frame from the log method's caller, resolved to file and line, with a bounded cache of
 * file names. The server entries register it; on the web entry (a worker bundle, where a
 * minified bundle's lines say little) `enableCallerCapture()` does.
 *
 * @module
 */
import { registerCallerCapture } from "./caller.ts";

/**
 * Where code transformed by `sluice/caller` leaves a log call's location, shared by every copy
 * of the library through the global registry: `t` the logger the call is made on, `a` the
 * location as JSON text (`"app.ts:12"`). Written right before the call, after its arguments.
 */
// deno-lint-ignore no-explicit-any -- a slot on globalThis
const slot: { t?: unknown; a?: string } = ((globalThis as any)[Symbol.for("sluice.caller")] ??= {});

/** Empties the slot (see `CallerHooks.forget`). */
const forget = (): void => {
  slot.t = undefined;
};

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
 * import { locationOf } from "./caller_capture.ts";
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
 * import { callerCacheSize } from "./caller_capture.ts";
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
 * Where `method` (the level method the user called) was called from, as JSON text
 * (`"file.ts:12"`). The stack is captured from `method`'s caller down, one frame deep
 * (`Error.captureStackTrace(holder, method)` with `Error.stackTraceLimit = 1`), so the engine
 * walks past the logger's own frames without recording them and resolves a single frame to
 * file and line: the cost of a capture grows with each recorded frame (bench/README.md). Where
 * the engine gives structured call sites (V8: Node, Deno, workerd; Bun) no stack text is
 * formatted and file base names are cached; elsewhere the frame's text is parsed. Engines
 * without `Error.captureStackTrace` give `"unknown"`. A caller that does `return log.info(...)`
 * on Bun, whose tail calls drop frames, is reported one level up.
 *
 * @param method The level method that was called, the frame to start from.
 * @returns The location as JSON text.
 */
function captureCaller(method: (...args: never[]) => unknown): string {
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
  return at;
}

/**
 * Lets `caller: true` take a location from the stack on the web entry (`sluice/web`, the
 * `workerd`/`browser` conditions), where it is left out so a worker's bundle stays small; the
 * server entries (Bun, Deno, Node) need no call. Code built with `sluice/caller` carries its
 * locations without it, but calls it did not transform need it.
 *
 * @example
 * ```ts
 * import { createLogger, enableCallerCapture } from "../mod.web.ts";
 * enableCallerCapture();
 * const log = createLogger({ caller: true });
 * log.info("here"); // {"time":"…","level":"info","msg":"here","caller":"app.js:4"}
 * ```
 */
export function enableCallerCapture(): void {
  registerCallerCapture({
    member(method, logger) {
      const t = slot.t;
      forget();
      return ',"caller":' + (t === logger ? slot.a : captureCaller(method));
    },
    forget,
  });
}
