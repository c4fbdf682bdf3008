/**
 * The HTTP sink's spool: batches kept on disk until a collector accepts them.
 *
 * @module
 */
import { dirSyncer, MadeDirs } from "../files/dir_syncer.ts";
import type { Runtime } from "../runtime/runtime.ts";
import type { HttpBatch } from "./http_sink.ts";

/**
 * A spool file that is no whole batch (cut short by a power cut, damaged): it is moved to
 * `dead/` with its reason, so the batches behind it still flow.
 *
 * @example
 * ```ts
 * import { SpoolFileError } from "./http_spool.ts";
 * new SpoolFileError("not a whole spooled batch").name; // "SpoolFileError"
 * ```
 */
export class SpoolFileError extends Error {
  override name = "SpoolFileError";
}

/**
 * Batches kept on disk until a collector accepts them: one file a batch, named by time and
 * key (so they are sent oldest first), holding a JSON header line and the NDJSON body.
 *
 * @example
 * ```ts
 * import { Spool } from "./http_spool.ts";
 * const spool = new Spool("./logs/.spool", detectRuntime());
 * const file = spool.save(batch);
 * for (const f of spool.list()) { const b = spool.read(f); }
 * spool.remove(file);
 * ```
 */
export class Spool {
  readonly #dir: string;
  readonly #runtime: Runtime;
  readonly #saved = new Map<string, string>();
  readonly #syncDir: (dir: string) => void;
  /** The directories opens made, kept until a save gets as far as its fsync. */
  readonly #made: MadeDirs;
  #seq = 0;

  /**
   * @param dir The spool's directory.
   * @param runtime Files.
   * @param onError Told once when the directory cannot be fsynced after a save.
   */
  constructor(dir: string, runtime: Runtime, onError: (err: Error) => void = () => {}) {
    if (runtime.openFile === undefined || runtime.fs === undefined) {
      throw new TypeError(`sluice: httpSink's spool needs a file system; the ${runtime.name} runtime has none`);
    }
    this.#dir = dir;
    this.#runtime = runtime;
    this.#syncDir = dirSyncer(runtime.fs, onError);
    this.#made = new MadeDirs(runtime.fs, onError);
  }

  /** Writes a batch; returns its file. A batch already saved (same key) is not saved twice. */
  save(batch: HttpBatch): string {
    const existing = this.#saved.get(batch.key);
    if (existing !== undefined) return existing;
    const name = `${String(Date.now()).padStart(15, "0")}-${String(this.#seq++).padStart(6, "0")}-${batch.key}.batch`;
    const tmp = `${this.#dir}/${name}.tmp`;
    const f = this.#runtime.openFile!(tmp);
    this.#made.opened(f);
    try {
      // the body's length, so a file cut short is known; on disk before the rename makes it a batch
      f.write(JSON.stringify({ key: batch.key, records: batch.records, oldestMs: batch.oldestMs, length: batch.body.length }) + "\n" + batch.body);
      f.sync();
    } finally {
      f.close();
    }
    const path = `${this.#dir}/${name}`;
    this.#runtime.fs!.rename(tmp, path);
    this.#saved.set(batch.key, path);
    this.#syncDir(this.#dir); // the name too: after a power cut a .tmp is removed as a save cut short
    this.#made.sync(this.#dir); // and the spool directory's own, when an open made it
    return path;
  }

  /** The files of every saved batch, oldest first. */
  list(): string[] {
    const fs = this.#runtime.fs!;
    const names = fs.list(this.#dir);
    // a .tmp is a save cut short by a crash: its batch is still in memory or was never accepted
    for (const n of names) if (n.endsWith(".batch.tmp") && !this.#isOurs(n)) fs.remove(`${this.#dir}/${n}`);
    return names.filter((n) => n.endsWith(".batch")).sort().map((n) => `${this.#dir}/${n}`);
  }

  /**
   * A saved batch, or `undefined` when its file is gone (sent and removed meanwhile). Throws
   * {@linkcode SpoolFileError} for a file that is no whole batch (cut short, damaged).
   */
  read(path: string): HttpBatch | undefined {
    const text = this.#runtime.fs!.readText(path);
    if (text === undefined) return undefined;
    const nl = text.indexOf("\n");
    let head: { key?: unknown; records?: unknown; oldestMs?: unknown; length?: unknown } | undefined;
    try {
      head = nl < 0 ? undefined : JSON.parse(text.slice(0, nl));
    } catch { /* said below */ }
    const body = text.slice(nl + 1);
    // a file from before the length was saved has none
    if (typeof head?.key !== "string" || typeof head.records !== "number" || (head.length !== undefined && head.length !== body.length)) {
      throw new SpoolFileError(`not a whole spooled batch (${text.length} characters): cut short or damaged`);
    }
    return { key: head.key, records: head.records, oldestMs: head.oldestMs as number, body };
  }

  #isOurs(tmpName: string): boolean {
    for (const path of this.#saved.values()) if (path.endsWith(tmpName.slice(0, -4))) return true;
    return false;
  }

  /**
   * Moves a batch the collector will not take out of the way, into `dead/` beside the spool,
   * with a `.reason` file saying why; later batches then flow. Returns where it went.
   */
  deadLetter(path: string, reason: string): string {
    const fs = this.#runtime.fs!;
    const name = path.slice(path.lastIndexOf("/") + 1);
    const dead = `${this.#dir}/dead/${name}`;
    const f = this.#runtime.openFile!(`${dead}.reason`); // makes dead/ when it is missing
    f.write(reason + "\n");
    f.close();
    fs.rename(path, dead);
    for (const [key, p] of this.#saved) if (p === path) this.#saved.delete(key);
    return dead;
  }

  /** Deletes a batch's file once the collector has accepted it. */
  remove(path: string): void {
    this.#runtime.fs!.remove(path);
    for (const [key, p] of this.#saved) if (p === path) this.#saved.delete(key);
  }
}
