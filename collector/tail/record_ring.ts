/**
 * The recent records `/api/tail` serves from: a ring bounded by count and bytes, numbered by a
 * sequence that only grows, so a client that resumes can be served strictly after its last one.
 *
 * @module
 */
import type { LogRecord } from "../../lib/record.ts";

/**
 * A bounded ring of the most recent accepted records. Pushing never waits and never grows it
 * past `maxRecords` records or `maxBytes` bytes of their lines (the oldest go first); readers
 * hold only a sequence number, so a reader that stops reading costs nothing.
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
  readonly #records: (LogRecord | undefined)[];
  readonly #maxBytes: number;
  #bytes = 0;
  #first = 1;
  #next = 1;

  /**
   * @param maxRecords The most records kept (at least 1).
   * @param maxBytes The most bytes of their lines kept.
   */
  constructor(readonly maxRecords: number, maxBytes: number) {
    if (!(Number.isInteger(maxRecords) && maxRecords >= 1)) throw new RangeError(`sluice: the tail buffer must hold at least 1 record, got ${maxRecords}`);
    if (!(Number.isInteger(maxBytes) && maxBytes >= 1)) throw new RangeError(`sluice: the tail buffer's bytes must be a whole number ≥ 1, got ${maxBytes}`);
    this.#records = new Array(maxRecords);
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

  /** Bytes of the lines kept. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Adds records, newest last, letting the oldest go past either bound. */
  push(records: readonly LogRecord[]): void {
    const cap = this.maxRecords;
    for (const r of records) {
      if (this.#next - this.#first === cap) this.#evict();
      const at = this.#next % cap;
      this.#records[at] = r;
      this.#bytes += r.json.length;
      this.#next++;
      while (this.#bytes > this.#maxBytes && this.#next - this.#first > 1) this.#evict();
    }
  }

  /** The record of sequence `seq`, or undefined when it is gone or not yet there. */
  record(seq: number): LogRecord | undefined {
    return seq >= this.#first && seq < this.#next ? this.#records[seq % this.maxRecords] : undefined;
  }

  /** The record's stored line (no newline), or undefined. */
  line(seq: number): string | undefined {
    return this.record(seq)?.json;
  }

  #evict(): void {
    const at = this.#first % this.maxRecords;
    this.#bytes -= this.#records[at]!.json.length;
    this.#records[at] = undefined;
    this.#first++;
  }
}
