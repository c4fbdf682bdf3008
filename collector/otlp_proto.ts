/**
 * OTLP/HTTP logs in protobuf (`application/x-protobuf`): a reader for the
 * `ExportLogsServiceRequest` subset sluice maps (the answers are written by otlp_answer.ts).
 *
 * Hand-written rather than a protobuf library: the LogsData messages use four wire types and
 * eleven fields, which is ~150 lines here, against protobufjs plus generated code (hundreds of
 * KB) as a run-time dependency of the collector. The decoder turns the bytes into the OTLP JSON
 * encoding's shape (64-bit integers as decimal strings, trace and span ids as hex, bytes as
 * base64), so {@linkcode parseOtlpLogs} maps both encodings with one piece of code.
 *
 * @module
 */
import { ProtoError } from "./errors.ts";
import { TooManyLinesError } from "../lib/errors.ts";
import { CONTAINERS_PER_RECORD } from "../lib/format/json_values.ts";

type Obj = Record<string, unknown>;
/** A field's handler: reads one occurrence at the reader's position into `into`. */
type Fields = Record<number, (r: Reader, into: Obj) => void>;

const LIMIT_DEPTH = 32;

class Reader {
  pos = 0;
  depth = 0;
  constructor(readonly buf: Uint8Array, readonly end = buf.length) {}

  varint(): bigint {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (this.pos >= this.end) throw new ProtoError(`varint runs past the end at byte ${this.pos}`);
      const b = this.buf[this.pos++];
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return BigInt.asUintN(64, result);
    }
    throw new ProtoError(`varint longer than 10 bytes at byte ${this.pos}`);
  }

  small(): number {
    const v = this.varint();
    if (v > 0x7fffffffn) throw new ProtoError(`length ${v} too large at byte ${this.pos}`);
    return Number(v);
  }

  take(n: number): Uint8Array {
    if (this.pos + n > this.end) throw new ProtoError(`field of ${n} bytes runs past the end at byte ${this.pos}`);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  bytes(): Uint8Array {
    return this.take(this.small());
  }

  fixed64(): DataView {
    const b = this.take(8);
    return new DataView(b.buffer, b.byteOffset, 8);
  }

  /** Reads the fields of one embedded message of the given schema. */
  message(fields: Fields, wire: number): Obj {
    if (wire !== 2) throw new ProtoError(`an embedded message must be length-delimited (wire type ${wire}) at byte ${this.pos}`);
    const len = this.small();
    if (this.pos + len > this.end) throw new ProtoError(`message of ${len} bytes runs past the end at byte ${this.pos}`);
    if (++this.depth > LIMIT_DEPTH) throw new ProtoError(`messages nested deeper than ${LIMIT_DEPTH}`);
    // each message decoded is an object of its own, far larger than its 2 bytes on the wire
    if (++decoded > maxMessages) throw new TooManyLinesError(maxLogRecords, `the request holds more than ${maxMessages} protobuf messages (${CONTAINERS_PER_RECORD} a record of --max-lines ${maxLogRecords}); send smaller batches`);
    const inner = new Reader(this.buf, this.pos + len);
    inner.pos = this.pos;
    inner.depth = this.depth;
    const out = readFields(inner, fields);
    this.pos += len;
    this.depth--;
    return out;
  }
}

/** The wire type of the field being read, set by readFields before each handler runs. */
let wireType = 0;
/** Messages decoded in the request being decoded, and log records, and their bounds (decoding is synchronous: one request at a time). */
let decoded = 0, logRecords = 0, maxLogRecords = Infinity, maxMessages = Infinity;

function readFields(r: Reader, fields: Fields): Obj {
  const out: Obj = {};
  while (r.pos < r.end) {
    const tag = r.small();
    const field = tag >>> 3;
    wireType = tag & 7;
    if (field === 0) throw new ProtoError(`field number 0 at byte ${r.pos}`);
    const handler = fields[field];
    if (handler !== undefined) handler(r, out);
    else skip(r, wireType);
  }
  return out;
}

function skip(r: Reader, wire: number): void {
  if (wire === 0) r.varint();
  else if (wire === 1) r.take(8);
  else if (wire === 2) r.bytes();
  else if (wire === 5) r.take(4);
  else throw new ProtoError(`unsupported wire type ${wire} at byte ${r.pos}`);
}

const utf8 = new TextDecoder("utf-8", { fatal: true });
const text = (r: Reader): string => {
  if (wireType !== 2) throw new ProtoError(`a string must be length-delimited at byte ${r.pos}`);
  try {
    return utf8.decode(r.bytes());
  } catch (err) {
    if (err instanceof ProtoError) throw err;
    throw new ProtoError(`a string is not valid UTF-8 at byte ${r.pos}`);
  }
};
const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
/** Base64 of `b`, in slices: not a string a byte. */
const base64 = (b: Uint8Array): string => {
  let bin = "";
  for (let i = 0; i < b.length; i += 0x8000) bin += String.fromCharCode(...b.subarray(i, i + 0x8000));
  return btoa(bin);
};
const expect = (r: Reader, wire: number, what: string) => {
  if (wireType !== wire) throw new ProtoError(`${what} has wire type ${wireType}, expected ${wire}, at byte ${r.pos}`);
};
const push = (into: Obj, key: string, v: unknown) => ((into[key] ??= []) as unknown[]).push(v);
/** A repeated embedded message field. */
const many = (key: string, fields: () => Fields) => (r: Reader, into: Obj) => push(into, key, r.message(fields(), wireType));
/** A singular embedded message field. */
const one = (key: string, fields: () => Fields) => (r: Reader, into: Obj) => (into[key] = r.message(fields(), wireType));
const str = (key: string) => (r: Reader, into: Obj) => (into[key] = text(r));
const u64 = (key: string) => (r: Reader, into: Obj) => {
  expect(r, 1, key);
  into[key] = r.fixed64().getBigUint64(0, true).toString();
};

const KEY_VALUE: Fields = { 1: str("key"), 2: one("value", () => ANY_VALUE) };
const ANY_VALUE: Fields = {
  1: str("stringValue"),
  2: (r, o) => (expect(r, 0, "boolValue"), (o.boolValue = r.varint() !== 0n)),
  3: (r, o) => (expect(r, 0, "intValue"), (o.intValue = BigInt.asIntN(64, r.varint()).toString())),
  4: (r, o) => (expect(r, 1, "doubleValue"), (o.doubleValue = r.fixed64().getFloat64(0, true))),
  5: one("arrayValue", () => ({ 1: many("values", () => ANY_VALUE) })),
  6: one("kvlistValue", () => ({ 1: many("values", () => KEY_VALUE) })),
  7: (r, o) => (expect(r, 2, "bytesValue"), (o.bytesValue = base64(r.bytes()))),
};
/** A trace or span id: `size` bytes (or none), as OTLP defines them. */
const ids = (key: string, size: number) => (r: Reader, into: Obj) => {
  expect(r, 2, key);
  const b = r.bytes();
  if (b.length !== size && b.length !== 0) throw new ProtoError(`${key} must be ${size} bytes, got ${b.length}`);
  into[key] = hex(b);
};
const LOG_RECORD: Fields = {
  1: u64("timeUnixNano"),
  11: u64("observedTimeUnixNano"),
  2: (r, o) => (expect(r, 0, "severityNumber"), (o.severityNumber = Number(BigInt.asIntN(32, r.varint())))),
  3: str("severityText"),
  5: one("body", () => ANY_VALUE),
  6: many("attributes", () => KEY_VALUE),
  8: (r, o) => {
    expect(r, 5, "flags");
    const b = r.take(4);
    o.flags = new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true);
  },
  9: ids("traceId", 16),
  10: ids("spanId", 8),
  12: str("eventName"),
};
const SCOPE_LOGS: Fields = {
  1: one("scope", () => ({ 1: str("name"), 2: str("version"), 3: many("attributes", () => KEY_VALUE) })),
  2: (r, into) => {
    if (++logRecords > maxLogRecords) throw new TooManyLinesError(maxLogRecords);
    push(into, "logRecords", r.message(LOG_RECORD, wireType));
  },
};
const RESOURCE_LOGS: Fields = {
  1: one("resource", () => ({ 1: many("attributes", () => KEY_VALUE) })),
  2: many("scopeLogs", () => SCOPE_LOGS),
};

/**
 * Decodes an OTLP `ExportLogsServiceRequest` in protobuf into the OTLP JSON encoding's shape
 * (what {@linkcode parseOtlpLogs} takes). Unknown fields are skipped, as protobuf requires.
 *
 * @param bytes The request body (already gunzipped).
 * @param maxLines The most log records: past it a `TooManyLinesError`, thrown while decoding
 *   (not after every record was made into an object).
 * @returns `{ resourceLogs: [...] }`; throws {@linkcode ProtoError} on malformed bytes or a trace
 *   or span id of the wrong size, and a `TooManyLinesError` past `maxLines` records or 16 times as
 *   many messages.
 * @example
 * ```ts
 * import { decodeOtlpLogs } from "./otlp_proto.ts";
 * decodeOtlpLogs(new Uint8Array(0)); // { resourceLogs: [] }
 * ```
 */
export function decodeOtlpLogs(bytes: Uint8Array, maxLines = Infinity): { resourceLogs: Obj[] } {
  decoded = 0;
  logRecords = 0;
  maxLogRecords = maxLines;
  // as many as a JSON body of those records may hold objects and arrays (json_values.ts)
  maxMessages = maxLines * CONTAINERS_PER_RECORD;
  const out = readFields(new Reader(bytes), { 1: many("resourceLogs", () => RESOURCE_LOGS) });
  return { resourceLogs: (out.resourceLogs as Obj[] | undefined) ?? [] };
}
