/**
 * One file per category, through a bounded pool of open files.
 *
 * @module
 */
import { categoryFileName } from "../files/category_name.ts";
import { HandlePool } from "../files/handle_pool.ts";
import { type RotateOptions, RotatingFile } from "../files/rotating_file.ts";
import type { Formatter } from "../format/formatter.ts";
import type { Sink, SinkHooks } from "../sink.ts";
import { fileRuntime, type FileSinkOptions } from "./file_sink.ts";
import { resolveFormat } from "./format_option.ts";

/** Options of {@linkcode categoryFileSink}. */
export interface CategoryFileSinkOptions extends FileSinkOptions {
  /**
   * The most files open at once; the least recently used is closed first.
   * @default 32
   */
  maxOpenFiles?: number;
  /** Rotation and retention, for each category's file. */
  rotate?: RotateOptions;
  /**
   * Bytes buffered for all files together (and the queue's byte bound); past it the buffers are
   * written, error and fatal files first, then the largest.
   * @default 16777216
   */
  maxBufferedBytes?: number;
  /**
   * A file's buffer is written once it holds this many bytes; 0 writes every batch's lines at
   * once. Buffering saves writes and handle churn with many categories (on Bun, 64 categories
   * through 16 handles ran 20% faster at 16384) but keeps more alive for the garbage collector
   * (on Deno the same run was 35% slower and twice the memory), so it is off unless asked.
   * @default 0
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

/** One batch, split by destination file: key, text, records, holds error or fatal. */
type Routed = [key: string, text: string, records: number, urgent: boolean][];

interface FileBuffer {
  /** Flat texts, one a batch: kept as an array, not one growing string, so the GC sees few objects. */
  parts: string[];
  bytes: number;
  records: number;
  urgent: boolean;
}

/**
 * Writes each record to the file of its category: `dir/<category>.ndjson`, with the category
 * mapped to a safe name by `categoryFileName` (no traversal, no absolute paths, no control
 * characters, bounded length; records without a category go to `default.ndjson`).
 *
 * Each file has a write-behind buffer, written when it reaches `fileBufferBytes`, when it is
 * `maxBufferAgeMs` old, on `flush()`, `close()` and exit. Error and fatal records are written at
 * once. Past `maxBufferedBytes` over all files, buffers are written (error and fatal first,
 * then the largest) before more is accepted. At most `maxOpenFiles` descriptors are open;
 * EMFILE/ENFILE closes handles and retries; a record never goes to another category's file.
 * `stats().written` counts records accepted into these buffers.
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
  const runtime = fileRuntime(options.runtime);
  const format: Formatter = resolveFormat(options.format ?? "ndjson", false);
  const ext = options.ext ?? ".ndjson";
  const rotate = options.rotate ?? {};
  const maxBytes = options.maxBufferedBytes ?? 16 << 20;
  const fileBufferBytes = options.fileBufferBytes ?? 0;
  const maxAgeMs = options.maxBufferAgeMs ?? 100;
  if (!(maxBytes > 0) || !(fileBufferBytes >= 0) || !(maxAgeMs >= 0)) {
    throw new RangeError("sluice: maxBufferedBytes must be positive, fileBufferBytes and maxBufferAgeMs zero or more");
  }
  let hooks: SinkHooks = { report: () => {}, lost: () => {}, unrefTimer: runtime.unrefTimer };
  const pool = new HandlePool(options.maxOpenFiles ?? 32, (key) => new RotatingFile(`${dir}/${key}${ext}`, rotate, runtime, (e) => hooks.report(e)));
  const names = new Map<string | undefined, string>();
  const keyOf = (category: string | undefined) => {
    let key = names.get(category);
    if (key === undefined) names.set(category, (key = categoryFileName(category)));
    return key;
  };
  const buffers = new Map<string, FileBuffer>();
  let buffered = 0;
  let timer: unknown;
  let failing = false;
  const written = new Set<RotatingFile>();
  const durable = options.durable ?? false;
  const unhook = options.reopenOnSighup ?? true
    ? runtime.onReopenSignal(() => { for (const f of pool.files()) f.reopen(); })
    : () => {};

  /** Writes one file's buffer; all or nothing (the buffer stays when the OS fails). */
  const writeOut = (key: string) => {
    const b = buffers.get(key)!;
    const file = pool.get(key);
    file.write(b.parts.length === 1 ? b.parts[0] : b.parts.join(""));
    if (durable) written.add(file);
    buffers.delete(key);
    buffered -= b.bytes;
  };
  /** Writes the buffers `pick` chooses, error and fatal first, then open files, then the rest. */
  const writeSome = (pick: (b: FileBuffer) => boolean) => {
    const rank = (k: string, b: FileBuffer) => (b.urgent ? 2 : 0) + (pool.isOpen(k) ? 1 : 0);
    const keys = [...buffers].filter(([, b]) => pick(b)).sort(([ka, a], [kb, b]) => rank(kb, b) - rank(ka, a)).map(([k]) => k);
    for (const k of keys) writeOut(k);
  };
  /** Writes every buffer; throws the first failure (what failed stays buffered). */
  const writeAll = () => {
    clearTimeout(timer as number);
    timer = undefined;
    writeSome(() => true);
    failing = false;
  };
  /** Writes every buffer, reporting a failure once and trying again later instead of throwing. */
  const writeAllLater = () => {
    try {
      writeAll();
    } catch (err) {
      if (!failing) hooks.report(new Error(`sluice: writing to ${dir} failed; retrying: ${(err as Error)?.message ?? err}`, { cause: err }));
      failing = true;
      schedule(1000);
    }
  };
  const schedule = (ms: number) => {
    if (timer !== undefined) return;
    timer = setTimeout(() => {
      timer = undefined;
      writeAllLater();
    }, ms);
    runtime.unrefTimer(timer);
  };

  return {
    name: `categories:${dir}`,
    level: options.level,
    sync: true,
    retry: true,
    defaultOnFull: "block",
    batch: options.batch,
    queue: { maxBytes },
    connect: (h) => void (hooks = h),
    encode(records) {
      const texts = new Map<string, { text: string; records: number; urgent: boolean }>();
      for (const r of records) {
        const key = keyOf(r.category);
        const b = texts.get(key);
        const line = format(r) + "\n";
        const urgent = r.level === "error" || r.level === "fatal";
        if (b === undefined) texts.set(key, { text: line, records: 1, urgent });
        else {
          b.text += line;
          b.records++;
          b.urgent ||= urgent;
        }
      }
      const routed: Routed = [];
      for (const [k, b] of texts) {
        b.text.charCodeAt(0); // flatten the rope now, while its pieces are young
        routed.push([k, b.text, b.records, b.urgent]);
      }
      return routed;
    },
    write(routed) {
      let incoming = 0;
      for (const [, text] of routed) incoming += text.length;
      if (buffered + incoming > maxBytes) {
        // make room first; a failure here throws before anything of this batch is taken
        const target = Math.max(0, maxBytes / 2 - incoming);
        const order = [...buffers].sort(([, a], [, b]) => Number(b.urgent) - Number(a.urgent) || b.bytes - a.bytes);
        for (const [k] of order) {
          if (buffered <= target) break;
          writeOut(k);
        }
      }
      for (const [key, text, records, isUrgent] of routed) {
        const b = buffers.get(key);
        if (b === undefined) buffers.set(key, { parts: [text], bytes: text.length, records, urgent: isUrgent });
        else {
          b.parts.push(text);
          b.bytes += text.length;
          b.records += records;
          b.urgent ||= isUrgent;
        }
        buffered += text.length;
      }
      try {
        writeSome((b) => b.urgent || b.bytes >= fileBufferBytes);
      } catch (err) {
        if (!failing) hooks.report(new Error(`sluice: writing to ${dir} failed; retrying: ${(err as Error)?.message ?? err}`, { cause: err }));
        failing = true;
        schedule(1000);
        return;
      }
      if (buffers.size > 0) schedule(maxAgeMs);
    },
    flush() {
      writeAll();
      for (const f of written) f.sync();
      written.clear();
    },
    reopen() {
      for (const f of pool.files()) f.reopen();
    },
    async close() {
      unhook();
      try {
        writeAll();
      } catch (err) {
        let lost = 0;
        for (const b of buffers.values()) lost += b.records;
        buffers.clear();
        buffered = 0;
        hooks.lost(lost, err);
      }
      pool.releaseAll();
      await Promise.all([...pool.files()].map((f) => f.close()));
    },
  };
}
