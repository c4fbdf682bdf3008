/**
 * The Deno adapter: `Deno.FsFile` files, `Deno.unrefTimer`, `process` exit hooks.
 *
 * @module
 */
import type { FileDriver, Runtime } from "../lib/runtime/runtime.ts";
import { openOrMkdir } from "./open_or_mkdir.ts";
import { utf8Scratch } from "./utf8_scratch.ts";
import { fsOps } from "./fs_ops.ts";
import { type ProcessLike, processHooks } from "./process_hooks.ts";

interface DenoFsFile {
  writeSync(p: Uint8Array): number;
  syncSync(): void;
  statSync(): { size: number };
  truncateSync(len: number): void;
  close(): void;
}

interface DenoGlobal {
  openSync(path: string, options: { append: true; create: true }): DenoFsFile;
  mkdirSync(path: string, options: { recursive: true }): void;
  statSync(path: string): unknown;
  unrefTimer(id: number): void;
  stdout: { isTerminal(): boolean };
  env: { get(name: string): string | undefined };
  permissions: { querySync(descriptor: { name: "env"; variable: string }): { state: string } };
}

/**
 * Opens `path` for appending as a `Deno.FsFile`, creating its directory.
 *
 * @param path The file.
 * @param deno The `Deno` global.
 * @returns A synchronous file driver.
 * @example
 * ```ts
 * import { openDenoFile } from "./deno.ts";
 * const f = openDenoFile("./logs/app.ndjson", Deno);
 * ```
 */
export function openDenoFile(path: string, deno: DenoGlobal): FileDriver {
  const exists = (dir: string) => {
    try {
      return deno.statSync(dir) !== undefined;
    } catch {
      return false;
    }
  };
  const { opened: file, made } = openOrMkdir(path, () => deno.openSync(path, { append: true, create: true }), (dir) => deno.mkdirSync(dir, { recursive: true }), exists);
  return {
    made,
    write(data) {
      const bytes = utf8Scratch(data);
      let off = 0;
      while (off < bytes.length) off += file.writeSync(bytes.subarray(off));
      return bytes.length;
    },
    flush() {},
    size: () => file.statSync().size,
    truncate: (length) => file.truncateSync(length),
    sync: () => file.syncSync(),
    close: () => file.close(),
  };
}

/**
 * The Deno runtime adapter.
 *
 * @param deno The `Deno` global.
 * @param proc Deno's Node-compatible `process` (Deno 2), for exit and signal hooks.
 * @returns The runtime.
 * @example
 * ```ts
 * import { denoRuntime } from "./deno.ts";
 * const runtime = denoRuntime(Deno, process);
 * ```
 */
export function denoRuntime(deno: DenoGlobal, proc: ProcessLike): Runtime {
  const hooks = processHooks(proc);
  return {
    name: "deno",
    unrefTimer: (t) => deno.unrefTimer(t as number),
    onExit: hooks.onExit,
    onBeforeExit: hooks.onBeforeExit,
    onReopenSignal: hooks.onReopenSignal,
    get fs() {
      return fsOps((proc as unknown as { getBuiltinModule(id: string): unknown }).getBuiltinModule("node:fs"));
    },
    openFile: (path) => openDenoFile(path, deno),
    isTerminal: () => deno.stdout.isTerminal(),
    contextStorage: () => new ((proc as unknown as { getBuiltinModule(id: string): { AsyncLocalStorage: new () => never } }).getBuiltinModule("node:async_hooks").AsyncLocalStorage)(),
    env: (name) => denoEnv(deno, name),
  };
}

/**
 * A variable's value when this process may read it, else `undefined`: the permission is
 * queried first, so a Deno run without `--allow-env` neither prompts nor throws.
 *
 * @example
 * ```ts
 * import { denoEnv } from "./deno.ts";
 * denoEnv(Deno, "SLUICE_LEVEL"); // undefined under `deno run` without --allow-env
 * ```
 */
export function denoEnv(deno: Pick<DenoGlobal, "env" | "permissions">, name: string): string | undefined {
  try {
    return deno.permissions.querySync({ name: "env", variable: name }).state === "granted" ? deno.env.get(name) : undefined;
  } catch {
    return undefined;
  }
}
