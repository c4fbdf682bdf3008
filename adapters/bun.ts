/**
 * The Bun adapter: files through `Bun.file(fd).writer()`, `process` exit hooks.
 *
 * @module
 */
import type { FileDriver, Runtime } from "../lib/runtime/runtime.ts";
import { type NodeFs, nodeFs, nodeRuntime, openAppend } from "./node.ts";

interface BunFileSink {
  write(chunk: string | Uint8Array): number;
  flush(): number | Promise<number>;
  end(): number | Promise<number>;
}

interface BunGlobal {
  file(fd: number): { writer(options?: { highWaterMark?: number }): BunFileSink };
}

/**
 * Opens `path` for appending as a Bun `FileSink`. For regular files Bun's `flush()` writes
 * synchronously, so a batch is with the OS when `write` returns.
 *
 * @param path The file.
 * @param bun The `Bun` global.
 * @param fs `node:fs`, for opening, fsync and closing the descriptor.
 * @returns A synchronous file driver.
 * @example
 * ```ts
 * import { openBunFile } from "./bun.ts";
 * const f = openBunFile("./logs/app.ndjson", Bun, nodeFs());
 * ```
 */
export function openBunFile(path: string, bun: BunGlobal, fs: NodeFs): FileDriver {
  const fd = openAppend(path, fs);
  const sink = bun.file(fd).writer({ highWaterMark: 1 << 20 });
  const flush = () => {
    const r = sink.flush();
    if (typeof r !== "number") throw new Error(`sluice: Bun FileSink flush of ${path} did not complete synchronously`);
  };
  return {
    write(data) {
      const n = sink.write(data);
      flush();
      return n;
    },
    flush,
    size: () => fs.fstatSync(fd).size,
    truncate: (length) => fs.ftruncateSync(fd, length),
    sync() {
      flush();
      fs.fsyncSync(fd);
    },
    close() {
      flush();
      fs.closeSync(fd);
    },
  };
}

/**
 * The Bun runtime adapter: Node's process hooks, Bun's file writer.
 *
 * @param bun The `Bun` global.
 * @param proc Bun's `process`.
 * @returns The runtime.
 * @example
 * ```ts
 * import { bunRuntime } from "./bun.ts";
 * const runtime = bunRuntime(Bun, process);
 * ```
 */
export function bunRuntime(bun: BunGlobal, proc: Parameters<typeof nodeRuntime>[0]): Runtime {
  return {
    ...nodeRuntime(proc),
    name: "bun",
    openFile: (path) => openBunFile(path, bun, nodeFs(proc)),
  };
}
