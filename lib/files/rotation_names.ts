/**
 * Names of rotated files: `<stem>.<UTC stamp><ext>`, so that they sort by time.
 *
 * @module
 */

/** A log path split into directory, stem and extension: `logs/app.ndjson` → `logs`, `app`, `.ndjson`. */
export interface PathParts {
  dir: string;
  stem: string;
  ext: string;
}

/**
 * Splits a path for rotation.
 *
 * @param path The live file's path.
 * @returns Its parts; a name without a dot has an empty extension.
 * @example
 * ```ts
 * import { splitPath } from "./rotation_names.ts";
 * splitPath("logs/app.ndjson"); // { dir: "logs", stem: "app", ext: ".ndjson" }
 * ```
 */
export function splitPath(path: string): PathParts {
  const slash = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  const dir = slash < 0 ? "." : path.slice(0, slash) || "/";
  const name = path.slice(slash + 1);
  const dot = name.lastIndexOf(".");
  return dot <= 0 ? { dir, stem: name, ext: "" } : { dir, stem: name.slice(0, dot), ext: name.slice(dot) };
}

/**
 * The name a file rotated at `ms` gets: `app.2026-11-22T17-14-28-123Z.ndjson` (UTC, fixed
 * width, no colons, so names sort by time on every file system).
 *
 * @param parts The live file's parts.
 * @param ms The rotation time.
 * @returns The rotated file's name (without directory).
 * @example
 * ```ts
 * import { rotatedName } from "./rotation_names.ts";
 * rotatedName({ dir: ".", stem: "app", ext: ".ndjson" }, 0); // "app.1970-01-01T00-00-00-000Z.ndjson"
 * ```
 */
export function rotatedName(parts: PathParts, ms: number): string {
  return `${parts.stem}.${new Date(ms).toISOString().replace(/[:.]/g, "-")}${parts.ext}`;
}

/**
 * Recognizes rotated files of one live file, compressed or not, and reads their time back.
 *
 * @param parts The live file's parts.
 * @returns A function from a directory entry to its rotation time, or `undefined` for other names.
 * @example
 * ```ts
 * import { rotatedTime } from "./rotation_names.ts";
 * rotatedTime({ dir: ".", stem: "app", ext: ".ndjson" })("app.1970-01-01T00-00-00-000Z.ndjson.gz"); // 0
 * ```
 */
export function rotatedTime(parts: PathParts): (name: string) => number | undefined {
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const re = new RegExp(`^${esc(parts.stem)}\\.(\\d{4}-\\d\\d-\\d\\dT\\d\\d)-(\\d\\d)-(\\d\\d)-(\\d{3})Z${esc(parts.ext)}(\\.gz)?$`);
  return (name) => {
    const m = re.exec(name);
    return m ? Date.parse(`${m[1]}:${m[2]}:${m[3]}.${m[4]}Z`) : undefined;
  };
}
