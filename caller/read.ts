/**
 * Reading a source file for the caller transform, through `node:fs/promises` as Node, Bun and
 * Deno provide it (`process.getBuiltinModule`, no top-level `node:` import).
 *
 * @module
 */

/**
 * The text of the file at `path` (a path or a `file:` URL), as UTF-8.
 *
 * @param path The file.
 * @returns Its text.
 * @example
 * ```ts
 * import { readText } from "./read.ts";
 * (await readText(new URL(import.meta.url))).includes("readText"); // true
 * ```
 */
export function readText(path: string | URL): Promise<string> {
  // deno-lint-ignore no-explicit-any -- an untyped runtime global (no @types for Bun, Deno and Node here)
  return (globalThis as any).process.getBuiltinModule("node:fs/promises").readFile(path, "utf8");
}
