/**
 * The adapter for runtimes without a process or file system: browsers, workerd, Deno Deploy
 * isolates, Vercel Edge.
 *
 * @module
 */
import type { Runtime } from "./runtime.ts";

/**
 * A runtime with no files and no exit hooks: on the edge, hand `log.flush()` to
 * `ctx.waitUntil`.
 *
 * @returns The runtime.
 * @example
 * ```ts
 * import { webRuntime } from "./web_runtime.ts";
 * const runtime = webRuntime();
 * ```
 */
export function webRuntime(): Runtime {
  return {
    name: "web",
    unrefTimer: () => {},
  };
}
