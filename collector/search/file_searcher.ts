/**
 * Search and histograms over a collector's record files.
 *
 * @module
 */
import { errorMessage } from "../../lib/errors.ts";
import type { CompiledQuery } from "../../lib/query/compile.ts";
import type { LevelName } from "../../lib/levels.ts";
import type { QueryNode } from "../../lib/query/ast.ts";
import { CaseFolder } from "./case_fold.ts";
import { LineBlockReader } from "./line_blocks.ts";
import { LineCandidates } from "./line_candidates.ts";
import { lineLevel, lineTime, recordLevel, recordTime } from "./line_fields.ts";
import { type LogFile, logFiles, mayHold } from "./log_files.ts";
import { countInto, type Histogram, histogramFrame, type RecordSearcher, type SearchPage } from "./searcher.ts";
import type { HistogramRequest, SearchRequest } from "./search_input.ts";
import { type ByteSearch, type SearchFs, searchFs } from "./search_fs.ts";
import { decodeCursor, TopRecords } from "./top_records.ts";

/**
 * Options of {@linkcode FileSearcher}.
 *
 * @example
 * ```ts
 * const options: FileSearcherOptions = { blockBytes: 1 << 20 };
 * ```
 */
export interface FileSearcherOptions {
  /** The read buffer's size. @default 4 MiB */
  blockBytes?: number;
  /** The longest line read; longer ones are skipped and counted. @default 16 MiB */
  maxLineBytes?: number;
  /**
   * The most characters of records a page holds (at least one record): past it the page ends
   * early and its cursor goes on, so `limit` pages of large records cannot take the memory.
   * @default 32 MiB
   */
  maxPageBytes?: number;
}

/** Called with each line that may match: its bounds in the block, and its time when read from its start. */
type Visit = (a: number, e: number, t: number | undefined) => void;

// deno-lint-ignore no-explicit-any -- an untyped runtime global or driver object (no @types for Bun, Deno and Node here)
const g = globalThis as any;
const NL = 10;
const yieldNow = (): Promise<void> => new Promise((resolve) => (g.setImmediate ?? setTimeout)(resolve));
/** The longest a block's lines are visited before other work (ingest) runs, ms: a query's cost per line has no bound the visit could rely on. */
const SLICE_MS = 10;
/** The default of {@linkcode FileSearcherOptions.maxPageBytes}. */
const MAX_PAGE_BYTES = 32 << 20;
/** Lines visited between looks at the clock. */
const LINES_PER_CHECK = 64;

/**
 * Searches the record files of a directory as the collector writes them: live category files,
 * rotated and gzipped ones, newest first. Files whose write span (from their names and mtimes)
 * cannot hold the range are not read; lines are found with the query's raw-line prefilter and
 * parsed only when they may match. Reads a block at a time (memory stays a few MB whatever the
 * files' size) and lets other work run between blocks.
 *
 * @example
 * ```ts
 * import { FileSearcher } from "./file_searcher.ts";
 * import { histogramRequest, searchRequest } from "./search_input.ts";
 * const searcher = new FileSearcher("./logs");
 * const page = await searcher.search(searchRequest({ q: "timeout", from: "2h" }, Date.now()));
 * const hits = await searcher.histogram(histogramRequest({ q: "level:>=warn" }, Date.now()));
 * ```
 */
export class FileSearcher implements RecordSearcher {
  readonly #dir: string;
  readonly #fs: SearchFs;
  readonly #options: FileSearcherOptions;

  /**
   * Searches `dir`.
   *
   * @param dir The collector's directory.
   * @param options Buffer sizes.
   */
  constructor(dir: string, options: FileSearcherOptions = {}) {
    this.#dir = dir;
    this.#fs = searchFs();
    this.#options = options;
  }

  /** One page of matches, newest first. */
  async search(request: SearchRequest): Promise<SearchPage> {
    const after = request.cursor === undefined ? undefined : decodeCursor(request.cursor);
    const top = new TopRecords(request.limit, after, this.#options.maxPageBytes ?? MAX_PAGE_BYTES);
    const from = request.from;
    const to = after === undefined ? request.to : Math.min(request.to, after.t + 1);
    const { query } = request;
    const withLevel = usesLevel(query.node);
    let badLines = 0;
    const visit: Visit = (a, e, t) => {
      let verdict: boolean | undefined;
      if (t !== undefined) {
        if (t < from || t >= to || !top.admits(t)) return;
        verdict = this.#verdict(query, a, e, withLevel ? lineLevel(this.#bytes!, a) : undefined);
        if (verdict === false) return;
      }
      const line = this.#fs.utf8(this.#bytes!, a, e);
      if (verdict === true) return top.offer(t!, line);
      const rec = parseRecord(line);
      if (rec === undefined) return void badLines++;
      t ??= recordTime(rec);
      if (t === undefined || t < from || t >= to || !top.admits(t) || !query.matches(rec)) return;
      top.offer(t, line);
    };
    const scanned = await this.#scan(request, from, to, visit, () => top.floor);
    return { ...top.page(), scanned: { ...scanned, badLines: badLines + scanned.badLines } };
  }

  /** Matches counted by time bucket and level. */
  async histogram(request: HistogramRequest): Promise<Histogram> {
    const h = histogramFrame(request);
    const { from, to, query } = request;
    const visit: Visit = (a, e, t) => {
      if (t !== undefined) {
        if (t < from || t >= to) return;
        const level = lineLevel(this.#bytes!, a);
        const verdict = this.#verdict(query, a, e, level);
        if (verdict === false) return;
        if (verdict === true && level !== undefined) return countInto(h, from, t, level);
      }
      const rec = parseRecord(this.#fs.utf8(this.#bytes!, a, e));
      if (rec === undefined) return;
      t ??= recordTime(rec);
      if (t === undefined || t < from || t >= to || !query.matches(rec)) return;
      countInto(h, from, t, recordLevel(rec));
    };
    await this.#scan(request, from, to, visit, () => -Infinity);
    return h;
  }

  /** The block being visited, and a byte search over it. */
  #bytes: Uint8Array | undefined;
  #find: ByteSearch | undefined;

  /** The query's verdict on the line `[a, e)` before any parse, with the level read from its start (for a query that compares levels). */
  #verdict(query: CompiledQuery, a: number, e: number, level: LevelName | undefined): boolean | undefined {
    if (query.node.kind === "all") return true;
    return query.lineVerdict(this.#fs.latin1(this.#bytes!, a, e), level);
  }

  /** Reads every file that may hold `[from, to)` (and records at or after `floor()`), visiting the lines that may match. */
  async #scan(
    request: { query: CompiledQuery; signal?: AbortSignal; onProgress?: (read: number, total: number) => void },
    from: number,
    to: number,
    visit: Visit,
    floor: () => number,
  ): Promise<{ bytes: number; files: number; badLines: number; problems: string[] }> {
    const files = logFiles(this.#fs.list(this.#dir)).filter((f) => mayHold(f, from, to));
    const total = files.reduce((n, f) => n + f.size, 0);
    // one folder per scan: its memory is this scan's read buffer (searches run side by side)
    const folder = new CaseFolder();
    const { cover } = request.query;
    const source = cover === undefined ? undefined : folder.source(this.#options.blockBytes ?? 4 << 20);
    const reader = new LineBlockReader(this.#fs, this.#options, source && this.#fs.wrap(source));
    const candidates = cover === undefined ? undefined : new LineCandidates(cover, this.#fs, folder);
    let dense = false;
    const out = { bytes: 0, files: 0, badLines: 0, problems: [] as string[] };
    const onBytes = (n: number) => {
      out.bytes += n;
      request.onProgress?.(out.bytes, total);
    };
    const readIds = new Set<string>(), readNames = new Set<string>();
    const scan = async (list: LogFile[]) => {
      for (const f of list) {
        if (request.signal?.aborted) break;
        if (readIds.has(f.id) || (f.gzip && readNames.has(f.name.slice(0, -3))) || !mayHold(f, Math.max(from, floor()), to)) continue;
        out.files++;
        try {
          const counts = await reader.read(`${this.#dir}/${f.name}`, f.gzip, async (bytes, end) => {
            this.#fs.collect();
            this.#bytes = bytes;
            this.#find = this.#fs.view(bytes);
            // a needle in nearly every line (a key): visiting every line costs less than finding them
            if ((await this.#visitBlock(bytes, end, dense ? undefined : candidates, visit, request.signal)) > end / 512) dense = true;
            return request.signal?.aborted !== true;
          }, onBytes, yieldNow);
          out.badLines += counts.longLines;
          if (counts.id !== undefined) readIds.add(counts.id), readNames.add(f.name);
        } catch (err) {
          out.problems.push(`${f.name}: ${errorMessage(err)}`);
          readIds.add(f.id), readNames.add(f.name);
        }
      }
    };
    await scan(files);
    // a file rotated (or compressed) after the listing was opened under its old name as the new,
    // empty file (or not found): read what the directory holds now that was not read, by identity,
    // leaving out the gzipped copy of a file read plain
    await scan(logFiles(this.#fs.list(this.#dir)));
    this.#bytes = undefined;
    return out;
  }

  /**
   * Visits the lines of a block that may match: the prefilter's candidates (the verdict and the
   * parse decide), or every line; returns how many candidates there were. Every
   * {@linkcode SLICE_MS} it lets other work run (the block stays; searches running side by side
   * share `#bytes`, so it is set again after each pause); it stops there once `signal` aborts.
   */
  async #visitBlock(bytes: Uint8Array, end: number, candidates: LineCandidates | undefined, visit: Visit, signal?: AbortSignal): Promise<number> {
    const find = this.#find!;
    let sliceEnd = performance.now() + SLICE_MS, lines = 0;
    // checked without an await per line (a microtask a line costs a dense scan a tenth more)
    const due = () => ++lines % LINES_PER_CHECK === 0 && performance.now() >= sliceEnd;
    /** Lets other work run; false when the client went away meanwhile. */
    const pause = async () => {
      await yieldNow();
      this.#bytes = bytes;
      this.#find = find;
      sliceEnd = performance.now() + SLICE_MS;
      return signal?.aborted !== true;
    };
    if (candidates !== undefined) {
      const found = candidates.lines(bytes, end);
      for (let i = 0; i < found.length; i += 2) {
        const a = found[i], e = trimCr(bytes, a, found[i + 1]);
        if (e > a) visit(a, e, headTime(bytes, a, e, end));
        if (due() && !(await pause())) break;
      }
      return found.length / 2;
    }
    for (let a = 0; a < end;) {
      let b = find.indexOf(NL, a);
      if (b < 0 || b > end) b = end;
      const e = trimCr(bytes, a, b);
      if (e > a) visit(a, e, headTime(bytes, a, e, end));
      a = b + 1;
      if (due() && !(await pause())) break;
    }
    return 0;
  }
}

/** Whether a query compares levels (only then is a line's level read for its verdict). */
function usesLevel(n: QueryNode): boolean {
  return n.kind === "level" || (n.kind === "not" ? usesLevel(n.node) : (n.kind === "and" || n.kind === "or") && n.nodes.some(usesLevel));
}

/**
 * A line's time from its head, or undefined to make the visit parse it: always so for a last
 * line without its newline, which a writer may still be appending (only a whole record counts).
 */
function headTime(bytes: Uint8Array, a: number, e: number, end: number): number | undefined {
  return e >= end - 1 && bytes[end - 1] !== 10 ? undefined : lineTime(bytes, a, e);
}

function trimCr(bytes: Uint8Array, a: number, b: number): number {
  return b > a && bytes[b - 1] === 13 ? b - 1 : b;
}

/** A line as a record object, or undefined when it is not a JSON object. */
function parseRecord(line: string): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(line);
    return typeof v === "object" && v !== null && !Array.isArray(v) ? v : undefined;
  } catch {
    return undefined;
  }
}
