/**
 * A logger's hooks into its process's end: at exit every synchronous sink writes what it holds
 * (what cannot be written is counted as `exit`), and when the event loop runs dry the batches
 * of asynchronous sinks are sent at once. Registered by the server entries: a worker or a
 * browser has no process exit, so its bundle goes without them.
 *
 * @module
 */
import type { Channel } from "./channel.ts";
import type { Runtime } from "./runtime/runtime.ts";

/**
 * Hooks `channels` into `runtime`'s exit and before-exit events.
 *
 * @param channels A logger's channels.
 * @param runtime Its runtime.
 * @returns What removes the hooks (called when the logger closes).
 * @example
 * ```ts
 * import { hookExit } from "./exit_hooks.ts";
 * import { detectRuntime } from "./runtime/detect.ts";
 * const unhook = hookExit([], detectRuntime());
 * for (const u of unhook) u();
 * ```
 */
export function hookExit(channels: readonly Channel[], runtime: Runtime): (() => void)[] {
  const none = () => {}; // a runtime without a process (a browser, a worker) has no exit to hook
  return [
    runtime.onExit?.(() => {
      for (const c of channels) {
        if (!c.drainSync(true)) c.abandon("exit");
        try {
          c.sink.exit?.();
        } catch { /* the process is leaving: nothing is left to report to */ }
      }
    }) ?? none,
    runtime.onBeforeExit?.(() => {
      for (const c of channels) if (!c.sink.sync) c.expedite();
    }) ?? none,
  ];
}
