/**
 * Caller location for `caller: true`: the file and line of the code that called the log
 * method, left in a shared slot by code that `sluice/caller` transformed at build time, or
 * else from that code's one stack frame (lib/caller_capture.ts: registered by the server
 * entries, by `enableCallerCapture()` on the web entry).
 *
 * @module
 */

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

/** Takes a location from the stack (lib/caller_capture.ts), once registered. */
let capture: ((method: (...args: never[]) => unknown) => string) | undefined;

/**
 * Registers the stack capture that {@linkcode callerMember} falls back on (the server entries
 * and `enableCallerCapture()` do this).
 *
 * @param f Takes the location of `method`'s caller, as JSON text (`"app.ts:12"`).
 * @example
 * ```ts
 * import { registerCallerCapture } from "./caller.ts";
 * registerCallerCapture(() => '"app.ts:1"');
 * ```
 */
export function registerCallerCapture(f: (method: (...args: never[]) => unknown) => string): void {
  capture = f;
}

/**
 * Whether a stack capture is registered: `caller: true` needs one (a worker bundle built from the
 * web entry has none until `enableCallerCapture()`).
 *
 * @returns True once registered.
 * @example
 * ```ts
 * import { callerCaptureRegistered } from "./caller.ts";
 * callerCaptureRegistered(); // true under the server entries
 * ```
 */
export function callerCaptureRegistered(): boolean {
  return capture !== undefined;
}

/**
 * The `"caller"` member of a record: where `method` (the level method the user called) was
 * called from. Called by the logger only, before anything of the call runs. A location that
 * code transformed by `sluice/caller` left for a call on `logger` is taken (and the slot
 * emptied, whoever it was for) without any capture; otherwise the registered stack capture
 * (lib/caller_capture.ts) finds it.
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
  return ',"caller":' + (t === logger ? slot.a : capture!(method));
}
