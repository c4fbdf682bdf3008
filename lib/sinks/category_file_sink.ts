/**
 * One file per category, through a bounded pool of open files.
 *
 * @module
 */
import { detectRuntime } from "../../adapters/detect.ts";
import { categoryFileName } from "../files/category_name.ts";
import { HandlePool } from "../files/handle_pool.ts";
import { type RotateOptions, RotatingFile } from "../files/rotating_file.ts";
import type { Formatter } from "../format/formatter.ts";
import type { LevelName } from "../levels.ts";
import type { LogRecord } from "../record.ts";
import type { Runtime } from "../runtime.ts";
import type { Sink } from "../sink.ts";
import type { BatchLimits } from "../stream/batcher.ts";
import { type FormatOption, resolveFormat } from "./format_option.ts";

/** Options of {@linkcode categoryFileSink}. */
export interface CategoryFileSinkOptions {
  /**
   * The most files open at once; the least recently used is closed first.
   * @default 32
   */
  maxOpenFiles?: number;
  /** Rotation and retention, for each category's file. */
  rotate?: RotateOptions;
  /**
   * Bytes of records queued for all files together; past it the queue's `onFull` applies (by
   * default the writer drains synchronously, error and fatal files first).
   * @default 16777216
   */
  maxBufferedBytes?: number;
  /**
   * File extension.
   * @default ".ndjson"
   */
  ext?: string;
  /** The lowest level written. */
  level?: LevelName;
  /**
   * The line format.
   * @default "ndjson"
   */
  format?: FormatOption;
  /**
   * fsync every file written since the last flush before `flush()` resolves.
   * @default false
   */
  durable?: boolean;
  /** Batch limits. */
  batch?: BatchLimits<LogRecord>;
  /**
   * Reopen the files on SIGHUP, for external log rotation.
   * @default true
   */
  reopenOnSighup?: boolean;
  /** The runtime adapter; detected when absent. */
  runtime?: Runtime;
}

/** One batch, split by destination file; urgent files (with error or fatal records) first. */
type Routed = [key: string, text: string][];

/**
 * Writes each record to the file of its category: `dir/<category>.ndjson`, with the category
 * mapped to a safe name by `categoryFileName` (no traversal, no absolute paths, no control
 * characters, bounded length; records without a category go to `default.ndjson`). At most
 * `maxOpenFiles` descriptors are open; EMFILE/ENFILE closes handles and retries; a record never
 * goes to another category's file.
 *
 * @param dir The directory (created when needed).
 * @param options Open-file bound, rotation, memory bound, format.
 * @returns The sink.
 * @example
 * ```ts
 * import { createLogger, categoryFileSink } from "../../mod.ts";
 * const log = createLogger({ sinks: [categoryFileSink("./logs/by-category", { maxOpenFiles: 32, rotate: { maxBytes: 50_000_000 } })] });
 * log.child({}, { category: "billing" }).info("charged", { cents: 1200 }); // -> ./logs/by-category/billing.ndjson
 * ```
 */
export function categoryFileSink(dir: string, options: CategoryFileSinkOptions = {}): Sink<Routed> {
  const runtime = options.runtime ?? detectRuntime();
  if (runtime.openFile === undefined) {
    throw new TypeError(`sluice: file sinks need a file system, and the ${runtime.name} runtime has none; use httpSink or streamSink`);
  }
  const format: Formatter = resolveFormat(options.format ?? "ndjson", false);
  const ext = options.ext ?? ".ndjson";
  const rotate = options.rotate ?? {};
  let report: (err: Error) => void = () => {};
  const pool = new HandlePool(options.maxOpenFiles ?? 32, (key) => new RotatingFile(`${dir}/${key}${ext}`, rotate, runtime, (e) => report(e)));
  const names = new Map<string | undefined, string>();
  const keyOf = (category: string | undefined) => {
    let key = names.get(category);
    if (key === undefined) names.set(category, (key = categoryFileName(category)));
    return key;
  };
  const written = new Set<RotatingFile>();
  const durable = options.durable ?? false;
  const unhook = options.reopenOnSighup ?? true
    ? runtime.onReopenSignal(() => { for (const f of pool.files()) f.reopen(); })
    : () => {};
  const maxBytes = options.maxBufferedBytes ?? 16 << 20;

  return {
    name: `categories:${dir}`,
    level: options.level,
    sync: true,
    retry: true,
    defaultOnFull: "block",
    batch: options.batch,
    queue: { maxRecords: 4096, maxBytes },
    connect: (r) => void (report = r),
    encode(records) {
      const texts = new Map<string, string>();
      const urgent = new Set<string>();
      for (const r of records) {
        const key = keyOf(r.category);
        texts.set(key, (texts.get(key) ?? "") + format(r) + "\n");
        if (r.level === "error" || r.level === "fatal") urgent.add(key);
      }
      // error and fatal files first; then files already open, so fewer handles are cycled
      const rank = ([key]: [string, string]) => (urgent.has(key) ? 2 : 0) + (pool.isOpen(key) ? 1 : 0);
      return [...texts].sort((a, b) => rank(b) - rank(a));
    },
    write(routed) {
      let i = 0;
      try {
        for (; i < routed.length; i++) {
          const file = pool.get(routed[i][0]);
          file.write(routed[i][1]);
          if (durable) written.add(file);
        }
      } finally {
        routed.splice(0, i); // a retry writes only the files not yet written
      }
    },
    flush() {
      for (const f of written) f.sync();
      written.clear();
    },
    reopen() {
      for (const f of pool.files()) f.reopen();
    },
    async close() {
      unhook();
      pool.releaseAll();
      await Promise.all([...pool.files()].map((f) => f.close()));
    },
  };
}
