/**
 * A log file that rotates by size and time, keeps a bounded number of old files and
 * compresses them.
 *
 * @module
 */
import { toError } from "../errors.ts";
import type { FileDriver, FsOps, Runtime } from "../runtime/runtime.ts";
import { type PathParts, rotatedName, rotatedTime, splitPath } from "./rotation_names.ts";
import { dirSyncer, MadeDirs } from "./dir_syncer.ts";
import { gzipFile } from "./gzip_file.ts";

/**
 * When and how a file rotates.
 *
 * @example
 * ```ts
 * import { rotatingFileSink } from "../../mod.ts";
 * rotatingFileSink("./logs/app.ndjson", { rotate: { maxBytes: 10_000_000, interval: "daily", maxFiles: 14, compress: "gzip" } });
 * ```
 */
export interface RotateOptions {
  /** Rotate before a write would take the file past this many bytes. */
  maxBytes?: number;
  /** Rotate at each UTC hour, UTC midnight, or every `n` ms since the epoch. */
  interval?: "hourly" | "daily" | number;
  /** Rotated files to keep (the live file not counted); older ones are deleted. */
  maxFiles?: number;
  /** Delete rotated files older than this. */
  maxAgeMs?: number;
  /**
   * Gzip rotated files in the background (`app.<stamp>.ndjson.gz`).
   * @default false
   */
  compress?: "gzip" | false;
}

const INTERVALS = { hourly: 3_600_000, daily: 86_400_000 } as const;

/**
 * An append-only file with rotation. Writes are synchronous and whole: a batch is never split
 * across two files, so no line is lost, duplicated or cut at a rotation boundary (a single
 * batch larger than `maxBytes` gets a file to itself). Its handle can be closed and is
 * reopened on the next write, which is how a handle pool and `reopen()` use it.
 *
 * @example
 * ```ts
 * import { RotatingFile } from "./rotating_file.ts";
 * import { detectRuntime } from "../../mod.ts";
 * const f = new RotatingFile("./logs/app.ndjson", { maxBytes: 10_000_000, maxFiles: 14 }, detectRuntime(), console.error);
 * f.write('{"msg":"hi"}\n');
 * await f.close();
 * ```
 */
export class RotatingFile {
  readonly path: string;
  readonly #parts: PathParts;
  readonly #opts: RotateOptions;
  readonly #runtime: Runtime;
  readonly #fs: FsOps | undefined;
  readonly #onError: (err: Error) => void;
  readonly #period: number | undefined;
  readonly #isRotated: (name: string) => number | undefined;
  readonly #background = new Set<Promise<void>>();
  #file: FileDriver | undefined;
  #size = 0;
  #nextBoundary: number | undefined;
  #lastStamp = 0;
  /** A failed write or cut left bytes past `#size`: they go before the next write. */
  #mustCut = false;
  /** `durable`: written since the last fsync. */
  #unsynced = false;
  /** `durable`: a file was (perhaps) created or renamed in the directory since its last fsync. */
  #dirUnsynced = false;
  readonly #syncDir: (dir: string) => void;
  /** `durable`: the directories opens made, whose names are not fsynced yet. */
  readonly #made: MadeDirs;
  readonly #durable: boolean;

  /**
   * @param path The live file.
   * @param options Rotation, retention and compression.
   * @param runtime The runtime adapter (files and `fs`).
   * @param onError Receives errors of background work (retention, compression).
   * @param durable What was written is fsynced before the handle closes (the handle pool's
   *   eviction, a rotation), so a later `sync()` leaves nothing out.
   */
  constructor(path: string, options: RotateOptions, runtime: Runtime, onError: (err: Error) => void, durable = false) {
    this.#durable = durable;
    this.path = path;
    this.#parts = splitPath(path);
    this.#opts = options;
    this.#runtime = runtime;
    this.#fs = runtime.fs;
    this.#onError = onError;
    const { maxBytes, interval, maxFiles, maxAgeMs, compress } = options;
    if (maxBytes !== undefined && !(maxBytes > 0)) throw new RangeError(`sluice: rotate.maxBytes must be positive, got ${maxBytes}`);
    if (maxFiles !== undefined && !(Number.isInteger(maxFiles) && maxFiles >= 0)) {
      throw new RangeError(`sluice: rotate.maxFiles must be a whole number, got ${maxFiles}`);
    }
    if (maxAgeMs !== undefined && !(maxAgeMs > 0)) throw new RangeError(`sluice: rotate.maxAgeMs must be positive, got ${maxAgeMs}`);
    if (compress !== undefined && compress !== false && compress !== "gzip") {
      throw new TypeError(`sluice: rotate.compress must be "gzip" or false, got ${JSON.stringify(compress)}`);
    }
    this.#period = interval === undefined ? undefined : typeof interval === "number" ? interval : Object.hasOwn(INTERVALS, interval) ? INTERVALS[interval] : NaN;
    if (this.#period !== undefined && !(this.#period > 0)) {
      throw new TypeError(`sluice: rotate.interval must be "hourly", "daily" or a positive number of ms, got ${JSON.stringify(interval)}`);
    }
    const rotates = maxBytes !== undefined || this.#period !== undefined || maxFiles !== undefined || maxAgeMs !== undefined || !!compress;
    if (rotates && this.#fs === undefined) throw new TypeError(`sluice: rotation needs a file system; the ${runtime.name} runtime has none`);
    this.#isRotated = rotatedTime(this.#parts);
    this.#syncDir = dirSyncer(this.#fs, onError);
    this.#made = new MadeDirs(this.#fs, onError);
  }

  /** Opens the handle now (writes open it when needed). */
  open(): void {
    if (this.#file !== undefined) return;
    this.#file = this.#runtime.openFile!(this.path);
    if (!this.#mustCut) this.#size = this.#file.size(); // else the size before the failed write stands
    // an empty file may be one the open created: its name is kept through a power cut once the directory is fsynced
    if (this.#durable && this.#size === 0) this.#dirUnsynced = true;
    if (this.#durable) this.#made.opened(this.#file);
    // the first open sets it (rotate() moves it on): a file the handle pool closed and opens again
    // after a boundary is rotated, not kept into the next interval
    if (this.#period !== undefined) this.#nextBoundary ??= (Math.floor(Date.now() / this.#period) + 1) * this.#period;
  }

  /**
   * Appends text or bytes, rotating first when the size or time limit says so. All or nothing:
   * when the OS fails a write halfway (a full disk), the part that was written is cut off again
   * before the error is thrown, so a retry neither duplicates nor splits a line.
   */
  write(data: string | Uint8Array): void {
    this.prepare(data.length);
    this.append(data);
  }

  /** Appends without rotating, all or nothing like {@linkcode RotatingFile.write} (after a {@linkcode RotatingFile.prepare}). */
  append(data: string | Uint8Array): void {
    this.open();
    const file = this.#file!;
    this.#cutPending(file);
    try {
      this.#size += file.write(data);
      this.#unsynced = this.#durable;
    } catch (err) {
      this.#mustCut = true;
      try {
        this.#cutPending(file);
      } catch { /* the write's own error is the one to report; the cut is tried again before the next write */ }
      throw err;
    }
  }

  /** After a failed write or cut: cuts the file to the last whole write, before anything else is written (throws if it cannot). */
  #cutPending(file: FileDriver): void {
    if (!this.#mustCut) return;
    if (file.size() > this.#size) file.truncate(this.#size);
    this.#mustCut = false;
  }

  /**
   * Opens the file and rotates it when `bytes` more would pass the size limit or the interval
   * is over, as {@linkcode RotatingFile.write} does first; returns the size, where the next
   * write will begin. Lets a caller note where its write goes before making it.
   */
  prepare(bytes: number): number {
    this.open();
    if (this.#size > 0) {
      const max = this.#opts.maxBytes;
      if ((max !== undefined && this.#size + bytes > max) || Date.now() >= (this.#nextBoundary ?? Infinity)) this.rotate();
    }
    return this.#size;
  }

  /** Cuts the live file back to `offset` bytes (undoing writes made since it was that long). */
  cut(offset: number): void {
    this.open();
    if (this.#size <= offset) return;
    this.#size = offset;
    this.#mustCut = true;
    this.#cutPending(this.#file!);
  }

  /** Pushes buffered bytes to the OS. */
  flush(): void {
    this.#file?.flush();
  }

  /** Flushes and fsyncs, and fsyncs the directory too when `durable` made or renamed a file in it since the last time (and the parents of directories an open made). */
  sync(): void {
    this.#file?.sync();
    this.#unsynced = false;
    if (this.#dirUnsynced) this.#syncDir(this.#parts.dir);
    this.#dirUnsynced = false;
    this.#made.sync(this.#parts.dir);
  }

  /** Closes the handle (the next write reopens it), fsynced first when `durable`; background work goes on. */
  release(): void {
    const f = this.#file;
    this.#file = undefined;
    try {
      if (f !== undefined && this.#unsynced) f.sync(); // a failed fsync is thrown, the handle closed all the same
      this.#unsynced = false;
    } finally {
      f?.close();
    }
  }

  /** Closes and reopens the live path, for external log rotation (logrotate's `create` mode). */
  reopen(): void {
    if (this.#file === undefined) return;
    this.release();
    this.open();
  }

  /** Renames the live file to its rotated name, opens a fresh one, and starts retention and compression. */
  rotate(): void {
    const fs = this.#fs!;
    let now = Math.max(Date.now(), this.#lastStamp + 1);
    // a name taken already (the clock stepped back since a rotation, another process's) moves on a
    // millisecond: a rename must not replace a rotated file
    while (fs.stat(`${this.#parts.dir}/${rotatedName(this.#parts, now)}`) !== undefined || fs.stat(`${this.#parts.dir}/${rotatedName(this.#parts, now)}.gz`) !== undefined) now++;
    this.#lastStamp = now;
    const rotated = `${this.#parts.dir}/${rotatedName(this.#parts, now)}`;
    this.release();
    fs.rename(this.path, rotated);
    this.#dirUnsynced = this.#durable;
    this.#nextBoundary = undefined; // the fresh file's interval
    this.open();
    this.#inBackground(async () => {
      // durable: the compressed copy's name is kept through a power cut before the original goes
      if (this.#opts.compress === "gzip") await gzipFile(fs, rotated, this.#durable ? () => this.#syncDir(this.#parts.dir) : undefined);
      this.#applyRetention(now);
    });
  }

  /** Resolves when background compression and retention are done. */
  async settled(): Promise<void> {
    while (this.#background.size > 0) await Promise.all(this.#background);
  }

  /** Closes the handle and waits for background work. */
  async close(): Promise<void> {
    this.release();
    await this.settled();
  }

  #applyRetention(now: number): void {
    const { maxFiles, maxAgeMs } = this.#opts;
    if (maxFiles === undefined && maxAgeMs === undefined) return;
    const fs = this.#fs!;
    const byTime = new Map<number, string[]>();
    for (const name of fs.list(this.#parts.dir)) {
      const t = this.#isRotated(name);
      if (t !== undefined) byTime.set(t, [...(byTime.get(t) ?? []), name]);
    }
    const times = [...byTime.keys()].sort((a, b) => b - a);
    times.forEach((t, i) => {
      if ((maxFiles !== undefined && i >= maxFiles) || (maxAgeMs !== undefined && now - t > maxAgeMs)) {
        for (const name of byTime.get(t)!) fs.remove(`${this.#parts.dir}/${name}`);
      }
    });
  }

  #inBackground(work: () => Promise<void>): void {
    const p = work().catch((err) => this.#onError(toError(err)));
    this.#background.add(p);
    void p.finally(() => this.#background.delete(p));
  }
}

/**
 * Reopens each file (after logrotate moved them: on SIGHUP, or `log.reopen()`). One that fails
 * (a directory logrotate made unwritable) is reported and the others still reopen; it opens
 * again at its next write. A throw would reach the signal's listener and end the process.
 *
 * @param files The files.
 * @param report Where a failure goes (the sink's `onError`).
 * @example
 * ```ts
 * import { reopenEach, RotatingFile } from "./rotating_file.ts";
 * import { detectRuntime } from "../runtime/detect.ts";
 * const file = new RotatingFile("./logs/app.ndjson", {}, detectRuntime(), console.error);
 * reopenEach([file], console.error);
 * ```
 */
export function reopenEach(files: Iterable<RotatingFile>, report: (err: Error) => void): void {
  for (const f of files) {
    try {
      f.reopen();
    } catch (err) {
      report(new Error(`sluice: reopening ${f.path} failed; it opens again at its next write: ${toError(err).message}`, { cause: err }));
    }
  }
}
