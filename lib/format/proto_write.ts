/**
 * The protobuf wire writer the hand-written encoders share (`otlpSink`'s request, the
 * collector's OTLP answers): a field is appended to a plain byte array, nested messages are
 * written into their own array first and then as one length-delimited field.
 *
 * @module
 */

/** Bytes being written. */
export type Bytes = number[];
const utf8 = new TextEncoder();

/**
 * Appends a varint (64-bit two's complement for negative values, as protobuf's int32 and int64).
 *
 * @example
 * ```ts
 * import { varint } from "./proto_write.ts";
 * const out: number[] = [];
 * varint(out, 300n); // out: [0xac, 0x02]
 * ```
 */
export function varint(out: Bytes, v: bigint): void {
  v = BigInt.asUintN(64, v);
  while (v > 0x7fn) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
}

/**
 * Appends a length-delimited field (wire type 2): `tag`, the length, the bytes.
 *
 * @example
 * ```ts
 * import { len } from "./proto_write.ts";
 * const out: number[] = [];
 * len(out, 0x0a, [0x08, 0x01]); // out: [0x0a, 0x02, 0x08, 0x01]
 * ```
 */
export const len = (out: Bytes, tag: number, inner: Bytes | Uint8Array): void => {
  out.push(tag);
  varint(out, BigInt(inner.length));
  for (let i = 0; i < inner.length; i++) out.push(inner[i]);
};

/**
 * Appends a string field, UTF-8.
 *
 * @example
 * ```ts
 * import { str } from "./proto_write.ts";
 * const out: number[] = [];
 * str(out, 0x12, "hi"); // out: [0x12, 0x02, 0x68, 0x69]
 * ```
 */
export const str = (out: Bytes, tag: number, s: string): void => len(out, tag, utf8.encode(s));

/**
 * Appends a fixed64 field (wire type 1), little-endian.
 *
 * @example
 * ```ts
 * import { fixed64 } from "./proto_write.ts";
 * const out: number[] = [];
 * fixed64(out, 0x09, 1n); // out: [0x09, 1, 0, 0, 0, 0, 0, 0, 0]
 * ```
 */
export const fixed64 = (out: Bytes, tag: number, v: bigint): void => {
  out.push(tag);
  for (let i = 0n; i < 64n; i += 8n) out.push(Number((BigInt.asUintN(64, v) >> i) & 0xffn));
};
