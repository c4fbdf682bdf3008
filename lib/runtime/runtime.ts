/**
 * What runtime-neutral code needs from the runtime, handed to it by an adapter.
 *
 * @module
 */

/**
 * A file opened for appending, written synchronously (into the OS page cache).
 *
 * @example
 * ```ts
 * import { detectRuntime } from "../../mod.ts";
 * const runtime = detectRuntime();
 * const file = runtime.openFile!("./logs/app.ndjson");
 * file.write("line\n"); file.sync(); file.close();
 * ```
 */
export interface FileDriver {
  /**
   * The topmost directory the open made because it was missing (the file's own directory or
   * one above it), if any: a durable file fsyncs the parents of those made, so their names are
   * kept through a power cut.
   */
  readonly made?: string;
  /** Appends text (as UTF-8) or bytes, all of it, or throws; returns the bytes written. */
  write(data: string | Uint8Array): number;
  /** Pushes any buffered bytes to the OS. */
  flush(): void;
  /** The file's size in bytes, as the OS sees it. */
  size(): number;
  /** Cuts the file to `length` bytes (to undo the part of a write that failed halfway). */
  truncate(length: number): void;
  /** Flushes and fsyncs. */
  sync(): void;
  /** Flushes and closes the handle. */
  close(): void;
}

/**
 * The runtime services sluice uses: timers that do not keep a process alive, exit hooks,
 * files and terminal detection. `adapters/` has one per runtime and picks one automatically.
 *
 * @example
 * ```ts
 * import { detectRuntime } from "./detect.ts";
 * detectRuntime().name; // "bun" | "deno" | "node" | "web"
 * ```
 */
export interface Runtime {
  /** The runtime's name. */
  readonly name: "bun" | "deno" | "node" | "web";
  /** Lets the process exit while `timer` is pending. */
  unrefTimer(timer: unknown): void;
  /**
   * Runs `hook` synchronously when the process exits (`process.exit()`, end of script, and
   * SIGTERM/SIGINT when nobody else handles them). Returns a function that unregisters it.
   * Absent where there is no process (a browser, a worker).
   */
  onExit?(hook: () => void): () => void;
  /** Runs `hook` when the event loop runs dry, so asynchronous work can still be started; absent where there is no process. */
  onBeforeExit?(hook: () => void): () => void;
  /** Opens a file for appending, creating its directory; absent where there is no file system. */
  openFile?(path: string): FileDriver;
  /** True when standard output is a terminal; absent where there is none (a browser, a worker). */
  isTerminal?(): boolean;
  /** Runs `hook` on SIGHUP (the signal logrotate sends). Returns a function that unregisters it; absent where there are no signals. */
  onReopenSignal?(hook: () => void): () => void;
  /** File-system operations for rotation and retention; absent where there is no file system. */
  fs?: FsOps;
  /**
   * Makes an AsyncLocalStorage for `withContext`; absent where the runtime has none, and on the
   * web runtime, where `withContext` looks for one itself (lib/context.ts).
   */
  contextStorage?<T>(): ContextStorage<T>;
  /**
   * An environment variable's value, or `undefined` when it is unset or the runtime does not let
   * this code read it (Deno without `--allow-env`); never throws, never prompts. Absent on the web
   * runtime (workerd, browsers): their environment comes as bindings, not as a global.
   */
  env?(name: string): string | undefined;
}

/**
 * The part of `AsyncLocalStorage` that `withContext` uses: a value that follows the code that
 * runs inside `run`, across `await`, timers and stream callbacks.
 *
 * @example
 * ```ts
 * import { detectRuntime } from "../../mod.ts";
 * const runtime = detectRuntime();
 * const als = runtime.contextStorage!<{ reqId: string }>();
 * als.run({ reqId: "r1" }, () => als.getStore()); // { reqId: "r1" }
 * ```
 */
export interface ContextStorage<T> {
  /** Runs `fn` with `store` as the current value; returns what `fn` returns. */
  run<R>(store: T, fn: () => R): R;
  /** The current value, or `undefined` outside any `run`. */
  getStore(): T | undefined;
}

/**
 * An open file, read by position: what `sluice tail` holds for each file it follows.
 *
 * @example
 * ```ts
 * import { detectRuntime } from "../../mod.ts";
 * const r = detectRuntime().fs!.openReader("./logs/app.ndjson");
 * const head = r.read(0, Math.min(64, r.size())); r.close();
 * ```
 */
export interface FileReader {
  /** The file's identity (device and inode), as {@linkcode FsOps.stat} gives it. */
  readonly id: string;
  /** Its size now. */
  size(): number;
  /** Up to `length` bytes from byte `position` (fewer at the end). */
  read(position: number, length: number): Uint8Array;
  /** Closes the handle. */
  close(): void;
}

/**
 * The file-system operations rotation, retention and compression need. Metadata operations are
 * synchronous (they are rare and short); bulk reads and writes are streams.
 *
 * @example
 * ```ts
 * import { detectRuntime } from "../../mod.ts";
 * const fs = detectRuntime().fs!;
 * fs.rename("./logs/app.ndjson", "./logs/app.1.ndjson");
 * ```
 */
export interface FsOps {
  /** Renames a file, replacing `to`. */
  rename(from: string, to: string): void;
  /** fsyncs a directory, so the files created and renamed in it are kept through a power cut as their data is (optional: `durable` does without it). */
  syncDir?(dir: string): void;
  /** Deletes a file; a missing file is not an error. */
  remove(path: string): void;
  /** The names in a directory (`[]` when it does not exist). */
  list(dir: string): string[];
  /** A file's text (UTF-8), or `undefined` when it does not exist. */
  readText(path: string): string | undefined;
  /** What a path is: its size, an identity that changes when another file takes the name (device and inode), whether it is a directory; `undefined` when it does not exist. */
  stat(path: string): { size: number; id: string; directory: boolean } | undefined;
  /** Opens a file for reading; the handle keeps reading the same file after it is renamed or deleted. */
  openReader(path: string): FileReader;
  /** Reads a file as a stream. */
  openRead(path: string): ReadableStream<Uint8Array>;
  /** Writes a new file (truncating) from a stream. */
  openWrite(path: string): WritableStream<Uint8Array>;
}
