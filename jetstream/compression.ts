/**
 * A message's payload, gzipped when it is worth it. A batch's NDJSON compresses 5-25×, and
 * nats-server's work per message (receive, store, replicate, deliver) grows with its bytes, so
 * a gzipped payload costs JetStream a fraction of the CPU, disk and network for about
 * 0.1 µs per record to compress and as much to inflate (bench/README.md). Payloads under
 * {@linkcode GZIP_FROM_BYTES} stay as they are. A gzipped payload is told apart by its magic
 * bytes (`1f 8b`: NDJSON text never starts with them) and carries `Content-Encoding: gzip`
 * for other readers of the stream.
 *
 * @module
 */

/** The two calls of `node:zlib` used here (Bun, Deno and Node all have it; taken as the adapters take builtins). */
interface Zlib {
  gzipSync(data: Uint8Array, options: { level: number }): Uint8Array;
  gunzipSync(data: Uint8Array, options: { maxOutputLength: number }): Uint8Array;
}
let zlibModule: Zlib | undefined;
// deno-lint-ignore no-explicit-any -- process, untyped here (no @types/node)
const zlib = (): Zlib => (zlibModule ??= (globalThis as any).process.getBuiltinModule("node:zlib"));

/** Payloads from this size up are gzipped (level 1: fast, and NDJSON's repetition does the rest). */
export const GZIP_FROM_BYTES = 1024;

/** The most bytes a gzipped payload may inflate to: past it the message is refused (a bomb), not inflated. */
export const MAX_INFLATED_BYTES = 64 << 20;

/**
 * The payload to publish for a message's NDJSON, and its `Content-Encoding` when gzipped.
 *
 * @param text The NDJSON bytes.
 * @returns The payload, and `"gzip"` when it is gzipped.
 * @example
 * ```ts
 * import { packPayload } from "./compression.ts";
 * packPayload(new TextEncoder().encode("{}\n")).encoding; // undefined: too small to gain
 * ```
 */
export function packPayload(text: Uint8Array): { data: Uint8Array; encoding?: "gzip" } {
  return text.length < GZIP_FROM_BYTES ? { data: text } : { data: zlib().gzipSync(text, { level: 1 }), encoding: "gzip" };
}

/**
 * A payload's NDJSON bytes: inflated when gzipped (at most {@linkcode MAX_INFLATED_BYTES}),
 * else the payload itself; the reason as a string when it cannot be inflated.
 *
 * @param data The payload as stored.
 * @returns The NDJSON bytes, or why not.
 * @example
 * ```ts
 * import { packPayload, unpackPayload } from "./compression.ts";
 * const text = new TextEncoder().encode('{"msg":"a"}\n'.repeat(200));
 * (unpackPayload(packPayload(text).data) as Uint8Array).length === text.length; // true
 * ```
 */
export function unpackPayload(data: Uint8Array): Uint8Array | string {
  if (data[0] !== 0x1f || data[1] !== 0x8b) return data;
  try {
    return zlib().gunzipSync(data, { maxOutputLength: MAX_INFLATED_BYTES });
  } catch (err) {
    const e = err as { code?: string };
    return e?.code === "ERR_BUFFER_TOO_LARGE" ? `the gzipped message inflates past ${MAX_INFLATED_BYTES} bytes` : "the message is not valid gzip";
  }
}
