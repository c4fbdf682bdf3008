/**
 * Exit hooks on runtimes with a Node-style `process` (Node, Bun, Deno 2).
 *
 * @module
 */

/** The part of Node's `process` the hooks use. */
export interface ProcessLike {
  // deno-lint-ignore no-explicit-any -- an untyped runtime global or driver object (no @types for Bun, Deno and Node here)
  on(event: string, listener: (...args: any[]) => void): unknown;
  // deno-lint-ignore no-explicit-any -- an untyped runtime global or driver object (no @types for Bun, Deno and Node here)
  off(event: string, listener: (...args: any[]) => void): unknown;
  listenerCount(event: string): number;
  exit(code?: number): never;
}

const SIGNALS = { SIGINT: 2, SIGTERM: 15 } as const;

/**
 * Exit and before-exit hook registries over one `process`. Listeners are installed once, on
 * the first hook, and removed with the last, so closed loggers leave no trace. On SIGTERM or
 * SIGINT the hooks run and the process exits with 128 + the signal's number, but only when no
 * other listener handles that signal (then that listener owns the shutdown, and its
 * `process.exit()` runs the hooks).
 *
 * @param proc The runtime's `process`.
 * @returns `onExit`, `onBeforeExit` and `onReopenSignal` (SIGHUP) for a {@linkcode Runtime}.
 * @example
 * ```ts
 * import { processHooks } from "./process_hooks.ts";
 * const { onExit } = processHooks(process);
 * const off = onExit(() => console.log("bye"));
 * ```
 */
export function processHooks(proc: ProcessLike) {
  const exitHooks = new Set<() => void>();
  const runExit = () => {
    for (const hook of [...exitHooks]) {
      try {
        hook();
      } catch { /* one failing hook must not stop the others */ }
    }
  };
  const onSignal = (signal: keyof typeof SIGNALS) => {
    if (proc.listenerCount(signal) > 1) return;
    runExit();
    proc.exit(128 + SIGNALS[signal]);
  };
  const signalListeners = Object.keys(SIGNALS).map((s) => [s, () => onSignal(s as keyof typeof SIGNALS)] as const);

  const registry = (hooks: Set<() => void>, install: () => void, uninstall: () => void) => (hook: () => void) => {
    if (hooks.size === 0) install();
    hooks.add(hook);
    return () => {
      if (hooks.delete(hook) && hooks.size === 0) uninstall();
    };
  };

  const onExit = registry(
    exitHooks,
    () => {
      proc.on("exit", runExit);
      for (const [s, l] of signalListeners) proc.on(s, l);
    },
    () => {
      proc.off("exit", runExit);
      for (const [s, l] of signalListeners) proc.off(s, l);
    },
  );

  const beforeExitHooks = new Set<() => void>();
  const runBeforeExit = () => {
    for (const hook of [...beforeExitHooks]) hook();
  };
  const onBeforeExit = registry(
    beforeExitHooks,
    () => proc.on("beforeExit", runBeforeExit),
    () => proc.off("beforeExit", runBeforeExit),
  );
  const reopenHooks = new Set<() => void>();
  const runReopen = () => {
    for (const hook of [...reopenHooks]) hook();
  };
  const onReopenSignal = registry(
    reopenHooks,
    () => proc.on("SIGHUP", runReopen),
    () => proc.off("SIGHUP", runReopen),
  );
  return { onExit, onBeforeExit, onReopenSignal };
}
