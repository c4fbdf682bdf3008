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
 * const file = runtime.openFile!("./logs/app.ndjson");
 * file.write("line\n"); file.sync(); file.close();
 * ```
 */
export interface FileDriver {
  /** Appends text, all of it, or throws. */
  write(text: string): void;
  /** Pushes any buffered bytes to the OS. */
  flush(): void;
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
 * import { detectRuntime } from "../adapters/detect.ts";
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
   */
  onExit(hook: () => void): () => void;
  /** Runs `hook` when the event loop runs dry, so asynchronous work can still be started. */
  onBeforeExit(hook: () => void): () => void;
  /** Opens a file for appending, creating its directory; absent where there is no file system. */
  openFile?(path: string): FileDriver;
  /** True when standard output is a terminal. */
  isTerminal(): boolean;
}
