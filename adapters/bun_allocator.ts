/**
 * Bun's allocator, set for a collector: mimalloc hands memory freed by a request back to the
 * system within milliseconds (`MIMALLOC_PURGE_DELAY`, read once when the process starts), and the
 * next request faults the same pages in again. Under sustained ingest that is a third of
 * `sluice serve --postgres`'s CPU (bench/README.md). {@linkcode keepFreedPages} starts the process
 * again in place (`execve`: the same PID, arguments and descriptors) with
 * `MIMALLOC_PURGE_DELAY=-1`, so freed pages stay with the process for its next requests; its
 * resident memory then stays at its peak, which the collector's memory budget bounds.
 *
 * @module
 */
import { errorMessage } from "../lib/errors.ts";

/** The variable mimalloc reads; set by the user (to any value), it is left as it is. */
const PURGE_DELAY = "MIMALLOC_PURGE_DELAY";

// deno-lint-ignore no-explicit-any -- an untyped runtime global or driver object (no @types for Bun, Deno and Node here)
const proc = (globalThis as any).process;

/**
 * On Bun on Linux, when `MIMALLOC_PURGE_DELAY` is not set: replaces this process with itself
 * (same PID, arguments, descriptors and environment) plus `MIMALLOC_PURGE_DELAY=-1`, and never
 * returns. Anywhere else, or when the variable is set (after the restart it is), it returns at
 * once. Call it before the process opens anything or starts a timer. When the restart fails
 * (no glibc: Alpine's musl), says so on stderr and returns: the process goes on with Bun's default.
 *
 * @param what Who restarts, named in that message.
 * @param library The C library whose `execve` is called.
 * @example
 * ```ts ignore
 * import { keepFreedPages } from "./adapters/bun_allocator.ts";
 * await keepFreedPages("sluice serve"); // on Bun: starts again with MIMALLOC_PURGE_DELAY=-1
 * ```
 */
export async function keepFreedPages(what: string, library = "libc.so.6"): Promise<void> {
  if (proc?.versions?.bun === undefined || proc.platform !== "linux" || proc.env[PURGE_DELAY] !== undefined) return;
  try {
    const ffiModule = "bun:ffi"; // a literal would make type checkers on Node and Deno look for it
    const { dlopen, FFIType, ptr } = await import(ffiModule);
    const libc = dlopen(library, { execve: { args: [FFIType.ptr, FFIType.ptr, FFIType.ptr], returns: FFIType.i32 } });
    // the strings must outlive the call: `kept` holds them
    const kept: ArrayBufferView[] = [];
    const cString = (s: string) => {
      const bytes = new TextEncoder().encode(s + "\0");
      kept.push(bytes);
      return ptr(bytes);
    };
    const pointers = (strings: string[]) => {
      const array = new BigUint64Array(strings.length + 1); // ends with NULL
      strings.forEach((s, i) => (array[i] = BigInt(cString(s))));
      kept.push(array);
      return ptr(array);
    };
    // a `bun build --compile` binary names its own entry in argv[1] and carries its runtime flags
    const compiled = String(proc.argv[1] ?? "").startsWith("/$bunfs/");
    const argv = [proc.execPath, ...(compiled ? [] : proc.execArgv), ...proc.argv.slice(compiled ? 2 : 1)];
    const env = Object.entries({ ...proc.env, [PURGE_DELAY]: "-1" }).map(([k, v]) => `${k}=${v}`);
    const status = libc.symbols.execve(cString(proc.execPath), pointers(argv), pointers(env));
    throw new Error(`execve returned ${status}`);
  } catch (err) {
    console.error(`${what}: could not start again with ${PURGE_DELAY}=-1 (${errorMessage(err)}); going on with Bun's default`);
  }
}
