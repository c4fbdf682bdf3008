/**
 * The recent records `/api/tail` serves from: a ring of the batches ingest wrote, bounded by
 * records and bytes, numbered by a sequence that only grows, so a client that resumes can be
 * served strictly after its last one.
 *
 * @module
 */
import type { LogRecord } from "../../lib/record.ts";
import { ownLines } from "../../lib/format/ndjson_decode.ts";
import { lineStarts, sentRecord, sentRecords } from "../../lib/format/sent_record.ts";
import { ownFormCheck, type OwnFormCheck } from "../../lib/format/own_form.ts";

/**
 * A body whose every line was taken as it came (`ParsedBody.asSent`): its text, and what each
 * line's closing brace gives way to (`,"producer":"…"}`).
 *
 * @example
 * ```ts
 * import type { SentBody } from "./record_ring.ts";
 * const body: SentBody = { text: '{"time":"1970-01-01T00:00:00.000Z","level":"info","msg":"a"}\n', tail: ',"producer":"p"}', count: 1 };
 * ```
 */
export interface SentBody {
  text: string;
  tail: string;
  /** How many lines (records): required when the records pushed with it were not made (`ParsedBody.asSent.unmade`). */
  count?: number;
}

/** Characters of lines the records made of a body's lines for its readers hold at most (their messages about as many again). */
const MADE_CHARS = 1 << 20;

/** One push: its records, or the body they are all the lines of. */
interface Batch {
  /** The sequence of its first record. */
  first: number;
  count: number;
  /** What it counts of the ring's bytes. */
  bytes: number;
  records: readonly LogRecord[] | undefined;
  body: SentBody | undefined;
  /** Where each of the body's lines starts, then one past the last line's end + 1 (made when first read). */
  starts: Uint32Array | undefined;
}

/**
 * A bounded ring of the most recent accepted records, kept as the batches they came in. Pushing
 * never waits and never keeps more than `maxRecords` records or `maxBytes` bytes (the oldest
 * batches go first; a batch larger than the ring alone keeps its newest records that fit, and
 * one record larger than `maxBytes` is kept alone, so a client can be sent the newest). A batch
 * of records counts each record's line, message and category (strings of their own); a body
 * taken whole is kept as its text alone, counted by its length, and its records are made again
 * from it only when a client reads them (the ingest path then does nothing per record here).
 * Readers hold only a sequence number, so a reader that stops reading costs nothing.
 *
 * @example
 * ```ts
 * import { RecordRing } from "./record_ring.ts";
 * const ring = new RecordRing(10_000, 32 << 20);
 * ring.push(records);
 * for (let s = ring.first; s < ring.next; s++) console.log(ring.line(s));
 * ```
 */
export class RecordRing {
  /** Oldest first, from `#head` on (the slots before it are let go). */
  #batches: (Batch | undefined)[] = [];
  #head = 0;
  readonly #maxBytes: number;
  #bytes = 0;
  #first = 1;
  #next = 1;
  /**
   * The records made so far of one body's lines (the one read last), up to `MADE_CHARS` of lines
   * (then let go and made again): readers following share them.
   */
  #made: { batch: Batch; records: (LogRecord | undefined)[]; check: OwnFormCheck; chars: number } | undefined;

  /**
   * @param maxRecords The most records kept (at least 1).
   * @param maxBytes The most bytes kept.
   */
  constructor(readonly maxRecords: number, maxBytes: number) {
    if (!(Number.isInteger(maxRecords) && maxRecords >= 1)) throw new RangeError(`sluice: the tail buffer must hold at least 1 record, got ${maxRecords}`);
    if (!(Number.isInteger(maxBytes) && maxBytes >= 1)) throw new RangeError(`sluice: the tail buffer's bytes must be a whole number ≥ 1, got ${maxBytes}`);
    this.#maxBytes = maxBytes;
  }

  /** The sequence number of the oldest record kept. */
  get first(): number {
    return this.#first;
  }

  /** The sequence number the next record pushed gets (one past the newest). */
  get next(): number {
    return this.#next;
  }

  /** Bytes kept: the batches' records' lines, messages and categories, and the bodies' texts. */
  get bytes(): number {
    return this.#bytes;
  }

  /**
   * Adds records, newest last, letting the oldest batches go past either bound. With `body`, the
   * records are every line of that text in order (`ParsedBody.asSent`; none when they were not
   * made, and `body.count` says how many) and only the text is kept.
   * A batch larger than the ring alone keeps its newest records that fit.
   */
  push(records: readonly LogRecord[], body?: SentBody): void {
    const n = body?.count ?? records.length;
    if (n === 0) return;
    const batch: Batch = { first: this.#next, count: n, bytes: body?.text.length ?? 0, records: undefined, body, starts: undefined };
    if (body === undefined || n > this.maxRecords || batch.bytes > this.#maxBytes) this.#counted(batch, records.length < n ? this.#lastRecords(batch, body!, n) : records);
    this.#batches.push(batch);
    this.#bytes += batch.bytes;
    this.#next += n;
    // a batch cut to fit holds the oldest record kept
    this.#first = Math.max(this.#first, this.#next - this.maxRecords, batch.count < n ? batch.first : 0);
    while (this.#batches.length - this.#head > 1 && (this.#bytes > this.#maxBytes || this.#batches[this.#head]!.first + this.#batches[this.#head]!.count <= this.#first)) {
      this.#bytes -= this.#batches[this.#head]!.bytes;
      this.#batches[this.#head++] = undefined;
      this.#first = Math.max(this.#first, this.#batches[this.#head]!.first);
    }
    if (this.#head > 1024 && this.#head * 2 > this.#batches.length) {
      this.#batches = this.#batches.slice(this.#head);
      this.#head = 0;
    }
    if (this.#made !== undefined && this.#made.batch.first < this.#batches[this.#head]!.first) this.#made = undefined;
  }

  /**
   * The records of a body pushed without them, larger than the ring: made for its last
   * `maxRecords` lines only (those before could not be kept), `batch` moved past the rest.
   */
  #lastRecords(batch: Batch, body: SentBody, n: number): LogRecord[] {
    const skip = Math.max(0, n - this.maxRecords);
    batch.first += skip;
    return sentRecords(body.text, n, body.tail, skip);
  }

  /**
   * Makes `batch` one of records, each counted (its line, message and category: strings of their
   * own), keeping its newest records within both bounds (at least one). Those cut from a larger
   * batch, or from a body, get lines of their own: a line taken as it came is a slice of its body.
   */
  #counted(batch: Batch, records: readonly LogRecord[]): void {
    const n = records.length;
    let k = n, bytes = 0;
    while (k > 0 && n - k < this.maxRecords) {
      const r = records[k - 1];
      const size = r.json.length + r.msg.length + (r.category?.length ?? 0);
      if (bytes + size > this.#maxBytes && k < n) break;
      bytes += size;
      k--;
    }
    const kept = k === 0 ? records : records.slice(k);
    if (k > 0 || batch.body !== undefined) ownLines(kept);
    Object.assign(batch, { first: batch.first + k, count: n - k, bytes, records: kept, body: undefined });
  }

  /** The record of sequence `seq`, or undefined when it is gone or not yet there. */
  record(seq: number): LogRecord | undefined {
    if (!(seq >= this.#first && seq < this.#next)) return undefined;
    const b = this.#find(seq)!;
    return b.records !== undefined ? b.records[seq - b.first] : this.#sent(b, seq - b.first);
  }

  /** The record's stored line (no newline), or undefined. */
  line(seq: number): string | undefined {
    return this.record(seq)?.json;
  }

  /** The batch holding `seq` (within the ring). */
  #find(seq: number): Batch | undefined {
    const batches = this.#batches;
    let lo = this.#head, hi = batches.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (batches[mid]!.first <= seq) lo = mid;
      else hi = mid - 1;
    }
    return batches[lo];
  }

  /** The record of line `i` of a body kept as its text, made once while readers stay on that body and within `MADE_CHARS`. */
  #sent(b: Batch, i: number): LogRecord {
    const { text, tail } = b.body!;
    const starts = b.starts ??= lineStarts(text, b.count);
    const from = starts[i], to = starts[i + 1] - 1;
    let made = this.#made;
    const r = made?.batch === b ? made.records[i] : undefined;
    if (r !== undefined) return r;
    if (made?.batch !== b || made.chars + (to - from) > MADE_CHARS) made = this.#made = { batch: b, records: new Array(b.count), check: made?.batch === b ? made.check : ownFormCheck(true), chars: 0 };
    made.chars += to - from;
    return (made.records[i] = sentRecord(text, from, to, tail, made.check));
  }
}
