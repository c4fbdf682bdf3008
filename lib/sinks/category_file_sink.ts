/**
 * One file per category, through a bounded pool of open files.
 *
 * @module
 */
import { errorMessage } from "../errors.ts";
import { retryDelay, SINK_WRITE_RETRY } from "../retry.ts";
import { categoryFileName } from "../files/category_name.ts";
import { HandlePool } from "../files/handle_pool.ts";
import { routeLines } from "../files/route_lines.ts";
import { reopenEach, type RotateOptions, RotatingFile } from "../files/rotating_file.ts";
import { type RoutedBatch, WriteBuffers } from "../files/write_buffers.ts";
import type { Formatter } from "../format/formatter.ts";
import type { Sink, SinkHooks } from "../sink.ts";
import { fileRuntime, type FileSinkOptions } from "./file_sink.ts";
import { resolveFormat } from "./format_option.ts";
import { withThrough } from "../stream/through.ts";
import { FLAT_ROTATION, refuseRenamed } from "../renamed_options.ts";

/**
 * Options of {@linkcode categoryFileSink}.
 *
 * @example
 * ```ts
 * import { categoryFileSink } from "../../mod.ts";
 * categoryFileSink("./logs/by-category", { maxOpenFiles: 16, fileBufferBytes: 65536, rotate: { maxBytes: 50_000_000 } });
 * ```
 */
export interface CategoryFileSinkOptions extends FileSinkOptions {
  /**
   * The most files open at once; the least recently used is closed first.
   * @default 32
   */
  maxOpenFiles?: number;
  /** Rotation and retention, for each category's file. */
  rotate?: RotateOptions;
  /**
   * The bound on the write-behind buffers' memory over all files (and, separately, on the
   * queue's bytes); past it the least recently filled buffers are written and freed, error and
   * fatal ones first.
   * @default 16777216
   */
  maxBufferedBytes?: number;
  /**
   * Each file's write-behind buffer holds up to this many bytes of encoded lines, so that many
   * batches reach a file in one write and a file is opened once per buffer, not once per
   * batch; 0 writes every batch's lines at once.
   * @default 65536
   */
  fileBufferBytes?: number;
  /**
   * Buffered records are written at most this long after they arrive.
   * @default 100
   */
  maxBufferAgeMs?: number;
  /**
   * File extension.
   * @default ".ndjson"
   */
  ext?: string;
}

/**
 * Writes each record to the file of its category: `dir/<category>.ndjson`, with the category
 * mapped to a safe name by `categoryFileName` (no traversal, no absolute paths, no control
 * characters, bounded length; records without a category go to `default.ndjson`).
 *
 * Each file has a write-behind byte buffer (up to `fileBufferBytes`), written when it is full,
 * when it is `maxBufferAgeMs` old, on `flush()`, `close()` and exit. Error and fatal records are
 * written at once. Past `maxBufferedBytes` over all buffers, the least recently filled are
 * written and freed (error and fatal first) before more is taken. At most `maxOpenFiles`
 * descriptors are open; EMFILE/ENFILE closes handles and retries; a record never goes to
 * another category's file. `stats().written` counts records taken into these buffers.
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
export function categoryFileSink(dir: string, options: CategoryFileSinkOptions = {}): Sink<RoutedBatch> {
  refuseRenamed("categoryFileSink", options, FLAT_ROTATION);
  const runtime = fileRuntime(options.runtime);
  const format: Formatter = resolveFormat(options.format ?? "ndjson", false);
  const ext = options.ext ?? ".ndjson";
  const rotate = options.rotate ?? {};
  const maxBytes = options.maxBufferedBytes ?? 16 << 20;
  const fileBufferBytes = options.fileBufferBytes ?? 65536;
  const maxAgeMs = options.maxBufferAgeMs ?? 100;
  if (!(maxBytes > 0) || !(fileBufferBytes >= 0) || !(maxAgeMs >= 0)) {
    throw new RangeError("sluice: maxBufferedBytes must be positive, fileBufferBytes and maxBufferAgeMs zero or more");
  }
  let hooks: SinkHooks = { report: () => {}, lost: () => {}, unrefTimer: runtime.unrefTimer };
  const durable = options.durable ?? false;
  const pool = new HandlePool(options.maxOpenFiles ?? 32, (key) => new RotatingFile(`${dir}/${key}${ext}`, rotate, runtime, (e) => hooks.report(e), durable));
  const names = new Map<string | undefined, string>();
  const keyOf = (category: string | undefined) => {
    let key = names.get(category);
    if (key === undefined) names.set(category, (key = categoryFileName(category)));
    return key;
  };
  let timer: unknown;
  /** Failed attempts to write the buffers since the last success; they back off as the channel's do. */
  let failures = 0;
  const written = new Set<RotatingFile>();
  const buffers = new WriteBuffers(fileBufferBytes, maxBytes, (key, data) => {
    const file = pool.get(key);
    file.write(data);
    if (durable) written.add(file);
  });
  const unhook = options.reopenOnSighup ?? true
    ? runtime.onReopenSignal?.(() => reopenEach(pool.files(), (e) => hooks.report(e))) ?? (() => {})
    : () => {};

  const writeAll = () => {
    clearTimeout(timer as number);
    timer = undefined;
    buffers.writeAll();
    failures = 0;
  };
  const retryLater = (err: unknown) => {
    if (failures++ === 0) hooks.report(new Error(`sluice: writing to ${dir} failed; retrying: ${errorMessage(err)}`, { cause: err }));
    schedule(retryDelay(SINK_WRITE_RETRY, failures));
  };
  const schedule = (ms: number) => {
    if (timer !== undefined) return;
    timer = setTimeout(() => {
      timer = undefined;
      try {
        writeAll();
      } catch (err) {
        retryLater(err);
      }
    }, ms);
    runtime.unrefTimer(timer);
  };

  return withThrough({
    name: `categories:${dir}`,
    level: options.level,
    sync: true,
    retry: true,
    defaultOnFull: "block",
    batch: options.batch,
    queue: { maxQueuedBytes: maxBytes },
    connect: (h) => void (hooks = h),
    encode: (records) => routeLines(records, format, keyOf),
    write(routed) {
      buffers.take(routed); // throws, having taken nothing, when making room fails: the channel retries the batch
      try {
        buffers.writeDue();
      } catch (err) {
        return retryLater(err);
      }
      if (buffers.bytes > 0) schedule(maxAgeMs);
    },
    flush() {
      writeAll();
      for (const f of written) f.sync();
      written.clear();
    },
    reopen() {
      reopenEach(pool.files(), (e) => hooks.report(e));
    },
    async close() {
      unhook();
      try {
        writeAll();
      } catch (err) {
        hooks.lost(buffers.discard(), err);
      }
      pool.releaseAll();
      await Promise.all([...pool.files()].map((f) => f.close()));
    },
  }, options.through);
}
