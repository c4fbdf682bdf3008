/**
 * Opening a log file whose directory may not exist yet, shared by the Node (and Bun) and Deno
 * drivers.
 *
 * @module
 */

/**
 * Opens with `open`; when that fails because the directory is missing (`ENOENT`), makes the
 * directory with `mkdir` (recursively) and opens again. Other errors, and a bare file name
 * (no directory to make), are thrown as they are.
 *
 * @param path The file.
 * @param open Opens it (the driver's own call).
 * @param mkdir Makes a directory and its parents.
 * @returns What `open` returned.
 * @example
 * ```ts
 * import { openOrMkdir } from "./open_or_mkdir.ts";
 * const fs = process.getBuiltinModule("node:fs");
 * const fd = openOrMkdir("./logs/app.ndjson", () => fs.openSync("./logs/app.ndjson", "a"), (dir) => fs.mkdirSync(dir, { recursive: true }));
 * ```
 */
export function openOrMkdir<T>(path: string, open: () => T, mkdir: (dir: string) => void): T {
  try {
    return open();
  } catch (err) {
    const dir = dirname(path);
    if ((err as { code?: string }).code !== "ENOENT" || dir === "") throw err;
    mkdir(dir);
    return open();
  }
}

/**
 * The directory part of a path (`""` for a bare file name).
 *
 * @example
 * ```ts
 * import { dirname } from "./open_or_mkdir.ts";
 * dirname("logs/app.ndjson"); // "logs"
 * ```
 */
export function dirname(path: string): string {
  const i = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  return i < 0 ? "" : i === 0 ? path.slice(0, 1) : path.slice(0, i);
}
