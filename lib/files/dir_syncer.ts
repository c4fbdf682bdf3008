/**
 * A directory's fsync, as far as the file system allows it.
 *
 * @module
 */
import { errorMessage } from "../errors.ts";
import type { FileDriver, FsOps } from "../runtime/runtime.ts";
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
 * The directories the opens of one file made because they were missing (`FileDriver.made`),
 * until the parent of each is fsynced, so a new directory keeps its name through a power cut with
 * the file in it. Its fsyncs have their own refusal state: a parent that refuses is told once
 * and not asked again, while the file's own directory goes on being fsynced by its own
 * {@linkcode dirSyncer}. Directories that were there are not asked.
 *
 * @example
 * ```ts
 * import { MadeDirs } from "./dir_syncer.ts";
 * const made = new MadeDirs(runtime.fs, console.error);
 * made.opened(runtime.openFile!("logs/a/b/app.ndjson")); // it made logs/a and logs/a/b
 * made.sync("logs/a/b"); // fsyncs logs/a, then logs
 * ```
 */
export class MadeDirs {
  readonly #syncDir: (dir: string) => void;
  /** The topmost directory made whose parent is not fsynced yet. */
  #top: string | undefined;

  /**
   * @param fs The runtime's file-system operations.
   * @param onError Told once when a parent refuses its fsync.
   */
  constructor(fs: FsOps | undefined, onError: (err: Error) => void) {
    this.#syncDir = dirSyncer(fs, onError);
  }

  /** Notes what an open made; of two made by opens of the file (one below the other), the higher is kept. */
  opened(file: FileDriver): void {
    const made = file.made;
    if (made !== undefined && (this.#top === undefined || made.length < this.#top.length)) this.#top = made;
  }

  /** fsyncs the parent of each directory made, from `dir` (the file's directory) up to the topmost one, then forgets them. */
  sync(dir: string): void {
    for (let d = dir, top = this.#top; top !== undefined;) {
      const up = splitPath(d).dir;
      if (up === d) break;
      this.#syncDir(up);
      if (d === top) break;
      d = up;
    }
    this.#top = undefined;
  }
}
