/**
 * How the collector puts accepted records on disk: one all-or-nothing, journaled append per
 * request.
 *
 * @module
 */
import { errorMessage } from "../lib/errors.ts";
import { DiskWriteError } from "./errors.ts";
import { appendAll } from "../lib/files/append_all.ts";
import { categoryFileName } from "../lib/files/category_name.ts";
import { HandlePool } from "../lib/files/handle_pool.ts";
import { type RotateOptions, RotatingFile } from "../lib/files/rotating_file.ts";
import { dirSyncer } from "../lib/files/dir_syncer.ts";
import { routeLines } from "../lib/files/route_lines.ts";
import { formatNdjson } from "../lib/format/ndjson.ts";
import type { LogRecord } from "../lib/record.ts";
import type { Runtime } from "../lib/runtime/runtime.ts";
import type { Sink } from "../lib/sink.ts";
import { latencyRecorder } from "../lib/latency.ts";
import { IdempotencyStore, type KeyLimits, type ScopedKey } from "./dedup.ts";
import { MAX_CATEGORY_LENGTH } from "./token_names.ts";

/**
 * Options of {@linkcode DiskWriter}.
 *
 * @example
 * ```ts
 * const options: DiskWriterOptions = { maxOpenFiles: 64, durable: false, keys: { ttlMs: 86_400_000, maxPerToken: 100_000 } };
 * ```
 */
export interface DiskWriterOptions {
  maxOpenFiles: number;
  rotate?: RotateOptions;
  durable?: boolean;
  keys: KeyLimits;
  /** The write journal's path, for a writer that shares `dir` with others. @default `<dir>/.sluice/idempotency-keys` */
  journal?: string;
  /** Told of what goes wrong in the background: a rotated file's compression or retention, a directory `durable` could not fsync. */
  onError?: (err: Error) => void;
}

const utf8 = new TextEncoder();
const PROBE_EVERY_MS = 1000;
/** The scratch buffer a body's text is encoded into (larger ones get an array of their own). */
const SCRATCH_BYTES = 4 << 20;

/**
 * Writes each request's records to `dir/<category>.ndjson`, all or nothing: the request's
 * parts (one per category file) are journaled with its Idempotency-Key, then appended; when
 * the disk refuses one (full, read-only, gone), the parts already written are cut back and
 * {@linkcode DiskWriteError} is thrown, so the collector answers 503 and the retry writes each
 * record once. A directory that was deleted or replaced is noticed before each write and made
 * again. While writes fail, {@linkcode DiskWriter.failure} names why, and a probe (at most once
 * a second) tells when the disk takes writes again.
 *
 * @example
 * ```ts
 * import { DiskWriter } from "./disk_writer.ts";
 * const disk = new DiskWriter("./logs", options, runtime);
 * disk.write(records, undefined);
 * ```
 */
export class DiskWriter {
  readonly #dir: string;
  readonly #runtime: Runtime;
  readonly #pool: HandlePool;
  readonly #keys: IdempotencyStore;
  readonly #durable: boolean;
  readonly #format = formatNdjson;
  readonly #names = new Map<string | undefined, string>();
  #dirId: string | undefined;
  #failure: string | undefined;
  #probedAt = 0;
  #scratch: Uint8Array | undefined;
  /** Records written, and records refused because the disk failed. */
  readonly counts = { written: 0, refused: 0 };
  /** How long each request's append (and fsync when durable) took. */
  readonly latency = latencyRecorder();

  /**
   * @param dir The directory.
   * @param options Open files, rotation, durability, idempotency keys.
   * @param runtime Files.
   */
  constructor(dir: string, options: DiskWriterOptions, runtime: Runtime) {
    this.#dir = dir;
    this.#runtime = runtime;
    this.#durable = options.durable ?? false;
    const onError = options.onError ?? (() => {});
    this.#pool = new HandlePool(options.maxOpenFiles, (key) => new RotatingFile(this.#pathOf(key), options.rotate ?? {}, runtime, onError, this.#durable));
    const journal = runtime.fs ? options.journal ?? `${dir}/.sluice/idempotency-keys` : undefined;
    this.#keys = new IdempotencyStore(journal, runtime, options.keys, (k) => this.#pathOf(k), this.#durable ? dirSyncer(runtime.fs, onError) : undefined);
    this.#dirId = runtime.fs?.stat(dir)?.id;
  }

  /** The keys, for `has`, and their counters. */
  get keys(): IdempotencyStore {
    return this.#keys;
  }

  /**
   * Writes the records (tagged with `key` when given), all or nothing; throws
   * {@linkcode DiskWriteError} having written none of them.
   */
  write(records: readonly LogRecord[], key: ScopedKey | undefined): void {
    const routed = routeLines(records, this.#format, (c) => this.#keyOf(c));
    this.#append(this.#encoded(routed), records.length, key);
  }

  /**
   * Appends `count` records of one category that are already lines in sluice's form (`data`,
   * each `\n`-terminated), as they are, all or nothing like {@linkcode DiskWriter.write}.
   */
  writeLines(category: string | undefined, data: Uint8Array, count: number, key: ScopedKey | undefined): void {
    this.#append([[this.#keyOf(category), data]], count, key);
  }

  /**
   * Appends `count` records of one category that came as the lines of `text` (NDJSON, each line
   * in sluice's form, `\n` between them), each with `tail` in place of its closing brace: the
   * text that arrived, not the records encoded again. All or nothing like
   * {@linkcode DiskWriter.write}.
   */
  writeAsSent(category: string | undefined, text: string, tail: string, count: number, key: ScopedKey | undefined): void {
    // each line ends with its closing brace, and a newline is always a line's end (JSON strings
    // hold none): one native replace puts every tail in place. A "$" in the tail (a token's name
    // is the producer when none is sent, and may hold one) is doubled: the replacement is a
    // pattern, where "$&" or "$'" would copy the body into every line.
    const lines = text.replaceAll("}\n", (tail + "\n").replaceAll("$", "$$$$"));
    this.#append(this.#encoded([[this.#keyOf(category), text.endsWith("\n") ? lines : lines.slice(0, -1) + tail + "\n"]]), count, key);
  }

  /**
   * Each file's text as UTF-8, one after another in the writer's scratch buffer as far as they
   * fit (they are written before the next write is encoded), the rest in arrays of their own:
   * a new array a request cost a tenth of ingest's rate (bench/README.md).
   */
  #encoded(texts: readonly (readonly [string, string, ...unknown[]])[]): [string, Uint8Array][] {
    let at = 0;
    return texts.map(([key, text]) => {
      if (at + text.length * 3 > SCRATCH_BYTES) return [key, utf8.encode(text)];
      this.#scratch ??= new Uint8Array(SCRATCH_BYTES);
      const n = utf8.encodeInto(text, this.#scratch.subarray(at)).written;
      return [key, this.#scratch.subarray(at, (at += n))];
    });
  }

  #append(parts: [string, Uint8Array][], count: number, key: ScopedKey | undefined): void {
    const start = performance.now();
    try {
      this.#checkDir();
      appendAll(this.#pool, parts, (where) => {
        this.#keys.journal(where, key);
        // durable: the journal reaches the disk before the records, so after a power cut too
        // the last entry tells what to undo
        if (this.#durable) this.#keys.sync();
      });
      if (this.#durable) for (const [k] of parts) this.#pool.get(k).sync();
    } catch (err) {
      this.#keys.abort();
      this.#failure = describe(err);
      this.#probedAt = Date.now();
      this.counts.refused += count;
      throw new DiskWriteError(this.#failure, { cause: err });
    }
    this.latency.record(performance.now() - start);
    this.#keys.commit(key);
    this.#failure = undefined;
    this.counts.written += count;
  }

  /** Why writes fail, or undefined when they do not; while failing, probes the disk (at most once a second). */
  failure(): string | undefined {
    if (this.#failure !== undefined && Date.now() - this.#probedAt >= PROBE_EVERY_MS) {
      this.#probedAt = Date.now();
      const probe = `${this.#dir}/.sluice/probe`;
      try {
        this.#checkDir();
        const f = this.#runtime.openFile!(probe);
        try {
          f.write("probe\n");
        } finally {
          f.close();
          this.#runtime.fs?.remove(probe);
        }
        this.#failure = undefined;
      } catch (err) {
        this.#failure = describe(err);
      }
    }
    return this.#failure;
  }

  /**
   * A sink for the collector's own logger, so its warnings take the same journaled path to the
   * same files (a failed write is retried by the logger).
   */
  sink(): Sink<readonly LogRecord[]> {
    return {
      name: "collector-disk",
      sync: true,
      retry: true,
      defaultOnFull: "block",
      encode: (records) => records,
      write: (records) => this.write(records, undefined),
      close: () => {},
    };
  }

  /** Closes the files and the journal. */
  async close(): Promise<void> {
    this.#pool.releaseAll();
    await Promise.all([...this.#pool.files()].map((f) => f.close()));
    this.#keys.close();
  }

  /** When `dir` was deleted or replaced, closes every handle (writes to them would go nowhere); opening makes it again. */
  #checkDir(): void {
    const fs = this.#runtime.fs;
    if (fs === undefined) return;
    const id = fs.stat(this.#dir)?.id;
    if (id !== undefined && id === this.#dirId) return;
    this.#pool.releaseAll();
    this.#keys.close();
    this.#runtime.openFile!(`${this.#dir}/.sluice/probe`).close(); // makes the directories
    this.#runtime.fs?.remove(`${this.#dir}/.sluice/probe`);
    this.#dirId = fs.stat(this.#dir)?.id;
  }

  #keyOf(category: string | undefined): string {
    // a long category (a trusted forwarder's records are not capped) is not kept as a key
    if (category !== undefined && category.length > MAX_CATEGORY_LENGTH) return categoryFileName(category);
    let key = this.#names.get(category);
    if (key === undefined) {
      if (this.#names.size > 100_000) this.#names.clear();
      this.#names.set(category, (key = categoryFileName(category)));
    }
    return key;
  }

  #pathOf(key: string): string {
    return `${this.#dir}/${key}.ndjson`;
  }
}

/** An OS error as `CODE: message`. */
function describe(err: unknown): string {
  const e = err as { code?: string };
  const msg = errorMessage(err);
  return e?.code && !msg.startsWith(e.code) ? `${e.code}: ${msg}` : msg;
}
