/**
 * A directory's fsync, as far as the file system allows it.
 *
 * @module
 */
import { errorMessage } from "../errors.ts";
import type { FsOps } from "../runtime/runtime.ts";
import { splitPath } from "./rotation_names.ts";

/** Directories whose ancestors this process has fsynced (past the bound it starts over: they are fsynced again). */
const rooted = new Set<string>();
const ROOTED_MAX = 10_000;

/**
 * Makes a function that fsyncs a directory, so the files made and renamed in it keep their
 * names through a power cut as their fsynced data is kept. The first time a directory is
 * fsynced, the directories above it are too: the open that made the file may have made them
 * (`mkdir -p`), and a new directory's name is lost with everything in it. Best effort: a file
 * system that refuses it (Windows, some network and FUSE mounts, a directory that may be
 * written but not read) is reported once to `onError` and not asked again (one above refused
 * is reported once too, and the ones above it are not asked); nothing is lost or refused for
 * it, only the names' durability. Without `fs` (or its `syncDir`) it does nothing.
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
  let refused = false, aboveRefused = false;
  /** fsyncs `dir`; false (told once) when the file system refuses. */
  const sync = (dir: string) => {
    try {
      fs!.syncDir!(dir);
      return true;
    } catch (err) {
      onError(new Error(`sluice: the file system refused to fsync the directory ${dir}: the data written is fsynced, the names of new and rotated files may not survive a power cut (${errorMessage(err)})`, { cause: err }));
      return false;
    }
  };
  return (dir) => {
    if (refused || fs?.syncDir === undefined) return;
    if (!sync(dir)) return void (refused = true);
    if (aboveRefused || rooted.has(dir)) return;
    for (let d = dir, up = splitPath(d).dir; up !== d; d = up, up = splitPath(d).dir) {
      if (!sync(up)) return void (aboveRefused = true);
    }
    if (rooted.size >= ROOTED_MAX) rooted.clear();
    rooted.add(dir);
  };
}
