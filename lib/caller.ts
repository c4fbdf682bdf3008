/**
 * Caller location for `caller: true`: the file and line of the code that called the log
 * method, left in a shared slot by code that `sluice/caller` transformed at build time, or
 * else from that code's one stack frame (lib/caller_capture.ts: registered by the server
 * entries, by `enableCallerCapture()` on the web entry).
 *
 * @module
 */

/**
 * What `caller: true` does in a log call, registered by lib/caller_capture.ts (the server
 * entries, `enableCallerCapture()` on the web entry): a worker that never asks for a caller
 * carries none of it.
 *
 * @example
 * ```ts
 * import type { CallerHooks } from "./caller.ts";
 * const hooks: CallerHooks = { member: () => ',"caller":"app.ts:1"', forget: () => {} };
 * ```
 */
export interface CallerHooks {
  /**
   * The `"caller"` member of a record: where `method` (the level method the user called) was
   * called from. Called by the logger only, before anything of the call runs. A location that
   * code transformed by `sluice/caller` left for a call on `logger` is taken (and the slot
   * emptied, whoever it was for) without any capture; otherwise the stack capture finds it.
   * Returns `,"caller":"file.ts:12"`.
   */
  member(method: (...args: never[]) => unknown, logger: object): string;
  /**
   * Empties the slot where transformed code leaves a call's location. It is also what a disabled
   * level method of a logger with `caller: true` is: a location left for a call that writes
   * nothing is forgotten, and no later call can take it. Like any level method, it returns
   * nothing.
   */
  forget(): void;
}

/** The registered hooks; `caller: true` needs them (a worker bundle built from the web entry has none until `enableCallerCapture()`). */
export let callerHooks: CallerHooks | undefined;

/**
 * Registers what `caller: true` does (the server entries and `enableCallerCapture()` do this).
 *
 * @param hooks The `"caller"` member of a call, and forgetting a location left for a call that logs nothing.
 * @example
 * ```ts
 * import { registerCallerCapture } from "./caller.ts";
 * registerCallerCapture({ member: () => ',"caller":"app.ts:1"', forget: () => {} });
 * ```
 */
export function registerCallerCapture(hooks: CallerHooks): void {
  callerHooks = hooks;
}
