/**
 * The Bun adapter: files through `node:fs` (Bun's own), `process` exit hooks.
 *
 * Bun's `Bun.file(fd).writer()` is not used for log files: its `FileSink` keeps a descriptor of
 * its own until garbage collection, so closing ours freed nothing and a handle pool bounded
 * nothing (234 descriptors open for `maxOpenFiles: 8`), and after a failed write it kept the
 * unwritten rest buffered and wrote it later, after the part the file driver had cut off.
 * `node:fs` `writeSync` on the descriptor sluice opens gives the bound and all-or-nothing writes.
 *
 * @module
 */
import type { Runtime } from "../lib/runtime/runtime.ts";
import { nodeRuntime } from "./node.ts";

/**
 * The Bun runtime adapter: Node's process hooks and `node:fs` files, under the name `"bun"`.
 *
 * @param proc Bun's `process`.
 * @returns The runtime.
 * @example
 * ```ts
 * import { bunRuntime } from "./bun.ts";
 * const runtime = bunRuntime(process);
 * ```
 */
export function bunRuntime(proc: Parameters<typeof nodeRuntime>[0]): Runtime {
  return { ...nodeRuntime(proc), name: "bun" };
}
