/**
 * A directory's fsync, as far as the file system allows it.
 *
 * @module
 */
import { errorMessage } from "../errors.ts";
import type { FsOps } from "../runtime/runtime.ts";
import { splitPath } from "./rotation_names.ts";

/**
 * Makes a function that fsyncs a directory, so the files made and renamed in it keep their
 * names through a power cut as their fsynced data is kept. Best effort: a file system that
 * refuses it (Windows, some network and FUSE mounts, a directory that may be written but not
 * read) is reported once to `onError` and not asked again; nothing is lost or refused for it,
 * only the names' durability. Without `fs` (or its `syncDir`) it does nothing.
 *
 * @param fs The runtime's file-system operations.
 * @param onError Told once when the fsync fails.
 * @returns The function, given the directory.
 * @example
 * ```ts
 * import { dirSyncer } from "./dir_syncer.ts";
 * const syncDir = dirSyncer(runtime.fs, console.error);
 * syncDir("./logs"); // after creating or renaming a file in it
 * ```
 */
export function dirSyncer(fs: FsOps | undefined, onError: (err: Error) => void): (dir: string) => void {
  let refused = false;
  return (dir) => {
    if (refused || fs?.syncDir === undefined) return;
    try {
      fs.syncDir(dir);
    } catch (err) {
      refused = true;
      onError(new Error(`sluice: the file system refused to fsync the directory ${dir}: the data written is fsynced, the names of new and rotated files may not survive a power cut (${errorMessage(err)})`, { cause: err }));
    }
  };
}

/**
 * fsyncs, with `syncDir`, the parent of each directory an open made, from `dir` (the file's
 * directory) up to `made` (the topmost one made, `FileDriver.made`), each of which holds a new
 * name; nothing when `made` is undefined. Directories that were there are not asked. Give it a
 * {@linkcode dirSyncer} of its own: a parent that refuses is then told once and not asked
 * again, while the file's own directory goes on being fsynced.
 *
 * @param syncDir A {@linkcode dirSyncer}'s function, not the one of the file's own directory.
 * @param dir The directory of the file opened.
 * @param made The topmost directory the open made, or undefined.
 * @example
 * ```ts
 * import { dirSyncer, syncMadeDirs } from "./dir_syncer.ts";
 * syncMadeDirs(dirSyncer(runtime.fs, console.error), "logs/a/b", "logs/a"); // fsyncs logs/a, then logs
 * ```
 */
export function syncMadeDirs(syncDir: (dir: string) => void, dir: string, made: string | undefined): void {
  for (let d = dir; made !== undefined;) {
    const up = splitPath(d).dir;
    if (up === d) return;
    syncDir(up);
    if (d === made) return;
    d = up;
  }
}

/**
 * Of two topmost directories made by opens of one file (`FileDriver.made`) whose parents are
 * not fsynced yet, the one higher up (the other is below it, on the same path).
 *
 * @example
 * ```ts
 * import { higherMade } from "./dir_syncer.ts";
 * higherMade("logs/a", "logs"); // "logs"
 * higherMade(undefined, "logs/a"); // "logs/a"
 * ```
 */
export function higherMade(pending: string | undefined, made: string | undefined): string | undefined {
  return pending === undefined || (made !== undefined && made.length < pending.length) ? made ?? pending : pending;
}
