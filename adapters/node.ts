/**
 * The Node.js adapter: `node:fs` files, `process` exit hooks.
 *
 * @module
 */
import type { FileDriver, Runtime } from "../lib/runtime/runtime.ts";
import { fsOps } from "./fs_ops.ts";
import { openOrMkdir } from "./open_or_mkdir.ts";
import { utf8Scratch } from "./utf8_scratch.ts";
import { type ProcessLike, processHooks } from "./process_hooks.ts";

/** The `node:fs` functions the file driver uses (also provided by Bun and Deno). */
export interface NodeFs {
  mkdirSync(path: string, options: { recursive: true }): unknown;
  existsSync(path: string): boolean;
  openSync(path: string, flags: string): number;
  writeSync(fd: number, data: string | Uint8Array, offset?: number): number;
  fsyncSync(fd: number): void;
  fstatSync(fd: number): { size: number };
  ftruncateSync(fd: number, length: number): void;
  closeSync(fd: number): void;
}

interface NodeProcess extends ProcessLike {
  // deno-lint-ignore no-explicit-any -- an untyped runtime global or driver object (no @types for Bun, Deno and Node here)
  getBuiltinModule(id: string): any;
  stdout?: { isTTY?: boolean };
  env?: Record<string, string | undefined>;
}

/**
 * Loads `node:fs` without a top-level import, so this module bundles for any target.
 *
 * @example
 * ```ts
 * import { nodeFs } from "./node.ts";
 * nodeFs().mkdirSync("./logs", { recursive: true });
 * ```
 */
// deno-lint-ignore no-explicit-any -- an untyped runtime global or driver object (no @types for Bun, Deno and Node here)
export function nodeFs(proc: NodeProcess = (globalThis as any).process): NodeFs {
  return proc.getBuiltinModule("node:fs");
}

/**
 * Opens `path` for appending with `node:fs`, creating its directory.
 *
 * @param path The file.
 * @param fs The `node:fs` module.
 * @returns A synchronous file driver.
 * @example
 * ```ts
 * import { nodeFs, openNodeFile } from "./node.ts";
 * const f = openNodeFile("./logs/app.ndjson", nodeFs());
 * f.write("hello\n"); f.close();
 * ```
 */
export function openNodeFile(path: string, fs: NodeFs): FileDriver {
  const { opened: fd, made } = openOrMkdir(path, () => fs.openSync(path, "a"), (dir) => fs.mkdirSync(dir, { recursive: true }), fs.existsSync);
  return {
    made,
    write(data) {
      const bytes = utf8Scratch(data);
      let n = fs.writeSync(fd, bytes);
      while (n < bytes.length) n += fs.writeSync(fd, bytes.subarray(n));
      return n;
    },
    flush() {},
    size: () => fs.fstatSync(fd).size,
    truncate: (length) => fs.ftruncateSync(fd, length),
    sync: () => fs.fsyncSync(fd),
    close: () => fs.closeSync(fd),
  };
}

/**
 * The Node.js runtime adapter.
 *
 * @param proc Node's `process`.
 * @returns The runtime.
 * @example
 * ```ts
 * import { nodeRuntime } from "./node.ts";
 * const runtime = nodeRuntime(process);
 * ```
 */
export function nodeRuntime(proc: NodeProcess): Runtime {
  const hooks = processHooks(proc);
  return {
    name: "node",
    unrefTimer: (t) => (t as { unref?: () => void })?.unref?.(),
    onExit: hooks.onExit,
    onBeforeExit: hooks.onBeforeExit,
    onReopenSignal: hooks.onReopenSignal,
    openFile: (path) => openNodeFile(path, nodeFs(proc)),
    get fs() {
      return fsOps(nodeFs(proc));
    },
    isTerminal: () => proc.stdout?.isTTY === true,
    contextStorage: () => new (proc.getBuiltinModule("node:async_hooks").AsyncLocalStorage)(),
    env: (name) => proc.env?.[name],
  };
}
