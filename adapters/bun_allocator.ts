/**
 * Bun's allocator, set for the collector and the consumer: mimalloc hands memory freed by a request back to the
 * system after a short delay (`MIMALLOC_PURGE_DELAY`, read once when the process starts), and the
 * next request faults the same pages in again. Under sustained ingest that is a third of
 * `sluice serve --postgres`'s CPU (bench/README.md). {@linkcode keepFreedPages} starts the process
 * again in place (`execve`) with `MIMALLOC_PURGE_DELAY=-1`, so freed pages stay with the process
 * for its next requests; its resident memory then stays near its peak.
 *
 * @module
 */
import { errorMessage } from "../lib/errors.ts";

/** The variable mimalloc reads; set by the user (to any value), it is left as it is. */
const PURGE_DELAY = "MIMALLOC_PURGE_DELAY";
const F_GETFD = 1, F_SETFD = 2, FD_CLOEXEC = 1;

// deno-lint-ignore no-explicit-any -- an untyped runtime global or driver object (no @types for Bun, Deno and Node here)
const proc = (globalThis as any).process;

/**
 * On Bun on Linux, when the environment the process started with has no `MIMALLOC_PURGE_DELAY`:
 * replaces this process with itself plus `MIMALLOC_PURGE_DELAY=-1` (or the value a `.env` file
 * gave `process.env`: Bun loads those after mimalloc has read its options), and never returns.
 * It keeps the PID, the command line and the environment byte for byte, and the descriptors it
 * inherited (Bun marks those past 3 close-on-exec; the mark is taken off first). What ran before
 * the call (a `--preload`) runs again. Anywhere else, when the variable was set at start (after
 * the restart it is), or under the inspector (`--inspect*`), it returns at once. Call it before
 * the process opens anything or starts a timer. When the restart fails (no glibc, as on Alpine;
 * the binary replaced since it started), says why on stderr and returns: the process goes on
 * with Bun's default.
 *
 * @param what Who restarts, named in that message.
 * @example
 * ```ts ignore
 * import { keepFreedPages } from "./adapters/bun_allocator.ts";
 * await keepFreedPages("sluice serve"); // on Bun: starts again with MIMALLOC_PURGE_DELAY=-1
 * ```
 */
export async function keepFreedPages(what: string): Promise<void> {
  if (proc?.versions?.bun === undefined || proc.platform !== "linux") return;
  if (proc.execArgv.some((a: string) => a.startsWith("--inspect"))) return;
  const fs = proc.getBuiltinModule("node:fs");
  let environ: Uint8Array;
  try {
    environ = fs.readFileSync("/proc/self/environ");
  } catch {
    return; // no /proc: nothing to restart with
  }
  // set in the environment the process started with, where mimalloc read it: nothing to do
  if (("\0" + new TextDecoder("latin1").decode(environ)).includes(`\0${PURGE_DELAY}=`)) return;
  // a value from a .env file (Bun loads those after mimalloc has read its options) is the user's
  const setting = `${PURGE_DELAY}=${proc.env[PURGE_DELAY] ?? "-1"}`;
  try {
    const ffiModule = "bun:ffi"; // a literal would make type checkers on Node and Deno look for it
    const { dlopen, FFIType: T, ptr, read } = await import(ffiModule);
    const libc = dlopen("libc.so.6", {
      execve: { args: [T.ptr, T.ptr, T.ptr], returns: T.i32 },
      fcntl: { args: [T.i32, T.i32, T.i32], returns: T.i32 },
      __errno_location: { args: [], returns: T.ptr },
      strerror: { args: [T.i32], returns: T.cstring },
    }).symbols;
    // the command line and the environment as the process got them, each string NUL-ended
    const argv = split(fs.readFileSync("/proc/self/cmdline"));
    const env = split(new Uint8Array([...environ, ...new TextEncoder().encode(setting + "\0")]));
    const pointers = (list: Uint8Array[]) => new BigUint64Array([...list.map((s) => BigInt(ptr(s))), 0n]);
    const [argvPointers, envPointers] = [pointers(argv), pointers(env)];
    for (const name of fs.readdirSync("/proc/self/fd")) inherit(fs, libc, Number(name));
    const path = new TextEncoder().encode(executable(fs, new TextDecoder().decode(argv[0].subarray(0, -1))) + "\0");
    libc.execve(ptr(path), ptr(argvPointers), ptr(envPointers));
    // still here: it failed (the strings stayed referenced by this frame through the call)
    throw new Error(String(libc.strerror(read.i32(libc.__errno_location()))));
  } catch (err) {
    console.error(`${what}: could not start again with ${setting} (${errorMessage(err)}); going on with Bun's default`);
  }
}

// deno-lint-ignore no-explicit-any -- node:fs and the bun:ffi symbols, untyped here
type Untyped = any;

/** Takes close-on-exec off a descriptor this process inherited (not one of Bun's own event descriptors). */
function inherit(fs: Untyped, libc: Untyped, fd: number): void {
  let target: string;
  try {
    target = fs.readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return; // the listing's own descriptor, closed
  }
  if (fd < 3 || target.startsWith("anon_inode:")) return;
  const flags = libc.fcntl(fd, F_GETFD, 0);
  if (flags >= 0 && (flags & FD_CLOEXEC) !== 0) libc.fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC);
}

/** The path the process was started by (`argv[0]`, found in PATH when it is a bare name) when it is still this binary, else the binary itself. */
function executable(fs: Untyped, argv0: string): string {
  const self = fs.readlinkSync("/proc/self/exe") as string; // " (deleted)" when replaced
  const same = (p: string) => {
    try {
      return fs.realpathSync(p) === self;
    } catch {
      return false;
    }
  };
  const found = argv0.includes("/") ? [argv0] : String(proc.env.PATH ?? "").split(":").map((d) => `${d || "."}/${argv0}`);
  return found.find(same) ?? self;
}

/** NUL-separated strings (as in `/proc/self/cmdline`), each with its NUL. */
function split(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let start = 0; start < bytes.length;) {
    const end = bytes.indexOf(0, start);
    const stop = end < 0 ? bytes.length : end;
    const s = new Uint8Array(stop - start + 1); // a copy, NUL-ended
    s.set(bytes.subarray(start, stop));
    out.push(s);
    start = stop + 1;
  }
  return out;
}
