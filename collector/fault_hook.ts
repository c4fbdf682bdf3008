/**
 * A crash on purpose, for the tests that prove a crash at any point of a write loses and
 * doubles nothing.
 *
 * @module
 */
import type { Runtime } from "../lib/runtime/runtime.ts";

/**
 * With `SLUICE_FAULT_KILL_AFTER_WRITES=n` in the environment, the process SIGKILLs itself right
 * after the n-th write to a log file (the journal under `.sluice/` not counted): between the
 * parts of one request's write, or between the records and the answer. Without it, returns
 * `runtime` unchanged. Not for production use.
 *
 * @param runtime The runtime.
 * @returns The runtime, or one whose files kill the process at the n-th write.
 * @example
 * ```sh
 * SLUICE_FAULT_KILL_AFTER_WRITES=1 sluice serve --dir ./logs   # dies after the first write
 * ```
 */
export function faultHook(runtime: Runtime): Runtime {
  const proc = (globalThis as { process?: { env?: Record<string, string | undefined>; pid: number; kill(pid: number, signal: string): void } }).process;
  const n = Number(proc?.env?.SLUICE_FAULT_KILL_AFTER_WRITES);
  if (!(n >= 1) || proc === undefined || runtime.openFile === undefined) return runtime;
  const open = runtime.openFile;
  let writes = 0;
  return {
    ...runtime,
    fs: runtime.fs,
    openFile(path) {
      const file = open(path);
      if (path.includes("/.sluice/")) return file;
      return {
        ...file,
        write(data) {
          const written = file.write(data);
          if (++writes === n) proc.kill(proc.pid, "SIGKILL");
          return written;
        },
      };
    },
  };
}
