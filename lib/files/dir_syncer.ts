/**
 * A directory's fsync, as far as the file system allows it.
 *
 * @module
 */
import { errorMessage } from "../errors.ts";
import type { FsOps } from "../runtime/runtime.ts";

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
