/**
 * The adapter for runtimes without a process or file system: browsers, workerd, Deno Deploy
 * isolates, Vercel Edge.
 *
 * @module
 */
import type { ContextStorage, Runtime } from "./runtime.ts";

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
    onExit: () => () => {},
    onBeforeExit: () => () => {},
    onReopenSignal: () => () => {},
    isTerminal: () => false,
    contextStorage: webContextStorage(),
  };
}

/**
 * AsyncLocalStorage on a web runtime that has it (workerd with `nodejs_compat` or `nodejs_als`,
 * as a global or through `process.getBuiltinModule`), else `undefined`.
 */
function webContextStorage(): (<T>() => ContextStorage<T>) | undefined {
  // deno-lint-ignore no-explicit-any -- an untyped runtime global (no types for workerd here)
  const g = globalThis as any;
  let Als = g.AsyncLocalStorage;
  try {
    Als ??= g.process?.getBuiltinModule?.("node:async_hooks")?.AsyncLocalStorage;
  } catch { /* no such module here */ }
  return typeof Als === "function" ? () => new Als() : undefined;
}
