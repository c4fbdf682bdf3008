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
 * @param exists Whether a directory exists (asked only after a missing directory, to find the
 *   topmost one made).
 * @returns What `open` returned, and the topmost directory made (in the form `path` gives it),
 *   when one was: a durable file fsyncs the parents of the directories made, so their names
 *   are kept through a power cut with the file's.
 * @example
 * ```ts
 * import { openOrMkdir } from "./open_or_mkdir.ts";
 * const fs = process.getBuiltinModule("node:fs");
 * const { opened: fd, made } = openOrMkdir("./logs/app.ndjson", () => fs.openSync("./logs/app.ndjson", "a"), (dir) => fs.mkdirSync(dir, { recursive: true }), fs.existsSync);
 * // made: "./logs" when the open made it
 * ```
 */
export function openOrMkdir<T>(path: string, open: () => T, mkdir: (dir: string) => void, exists: (dir: string) => boolean): { opened: T; made?: string } {
  try {
    return { opened: open() };
  } catch (err) {
    const dir = dirname(path);
    if ((err as { code?: string }).code !== "ENOENT" || dir === "") throw err;
    let made: string | undefined;
    for (let d = dir; d !== "" && !exists(d); d = dirname(d)) {
      made = d;
      if (dirname(d) === d) break;
    }
    mkdir(dir);
    return { opened: open(), made };
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
