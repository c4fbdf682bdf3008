/**
 * All-or-nothing appends to several files of a pool.
 *
 * @module
 */
import type { HandlePool } from "./handle_pool.ts";

/** Where one file's part of an {@linkcode appendAll} goes: the pool key, the offset it begins at, its length in bytes. */
export type PlacedPart = [key: string, offset: number, bytes: number];

/**
 * Appends each `[key, bytes]` to the pool's file for `key`, all or nothing: when one write fails
 * (a full disk, a read-only file system), the parts already written are cut back to where they
 * began and the error is thrown, so no file is left with a part of the batch or a torn line.
 * `placed` is called once every file is open and rotated, with where each part will go, before
 * anything is written (a journal records it there, so a crash midway can be undone at start).
 * Writes are synchronous, so nothing else writes to these files in between.
 *
 * @param pool The open files.
 * @param parts Each file's bytes (each key once).
 * @param placed Called with each part's key, offset and length before the writes.
 * @example
 * ```ts
 * import { appendAll } from "./append_all.ts";
 * appendAll(pool, [["billing", bytesA], ["http", bytesB]], (where) => journal.write(where));
 * ```
 */
export function appendAll(pool: HandlePool, parts: readonly [key: string, bytes: Uint8Array][], placed: (where: PlacedPart[]) => void): void {
  const where: PlacedPart[] = parts.map(([key, bytes]) => [key, pool.get(key).prepare(bytes.length), bytes.length]);
  placed(where);
  let done = 0;
  try {
    for (; done < parts.length; done++) pool.get(parts[done][0]).append(parts[done][1]);
  } catch (err) {
    // the failed write cut itself back; the ones before it are cut here, newest first
    for (let i = done - 1; i >= 0; i--) {
      try {
        pool.get(where[i][0]).cut(where[i][1]);
      } catch { /* the write's error is the one to report; the journal undoes this part at start */ }
    }
    throw err;
  }
}
