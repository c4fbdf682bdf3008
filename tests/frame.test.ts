// The binary batch frame: CRC-32, encode/decode, every kind of damage, the stream stages, and
// frames as an HTTP body through httpSink into the collector.
import { afterEach, describe, expect, test } from "bun:test";
import fc from "fast-check";
import { crc32 } from "../lib/format/crc32.ts";
import { decodeFrames, encodeFrame, FRAME_CONTENT_TYPE, FRAME_HEADER_BYTES, frameBytes, FrameError, frameSize } from "../lib/format/frame.ts";
import { FrameDecoderStream, FrameEncoderStream } from "../lib/stream/frame_stream.ts";
import { createLogger, createRecord } from "../mod.ts";
import { httpSink } from "../lib/sinks/http_sink.ts";
import { collector, records, runCleanup, TOKEN } from "./helpers/http.ts";
import { existsSync } from "node:fs";
import { join } from "node:path";

afterEach(runCleanup);

const enc = new TextEncoder();
const LINES = '{"msg":"a","n":1}\n{"msg":"héllo ✓ 😀"}\n';
const frame = () => encodeFrame(LINES, 2);

async function collect<T>(stream: ReadableStream<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of stream) out.push(x);
  return out;
}
const bytesStream = (chunks: Uint8Array[]) => new ReadableStream<Uint8Array>({ start(c) { for (const ch of chunks) c.enqueue(ch); c.close(); } });

describe("crc32", () => {
  test("the standard check values", () => {
    expect(crc32(enc.encode("123456789"))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
    expect(crc32(enc.encode("The quick brown fox jumps over the lazy dog"))).toBe(0x414fa339);
  });
});

describe("encodeFrame / decodeFrames", () => {
  test("round trip: any JSON-able records, several frames back to back", () => {
    fc.assert(fc.property(fc.array(fc.array(fc.jsonValue(), { maxLength: 5 }), { maxLength: 4 }), (batches) => {
      const texts = batches.map((b) => b.map((v) => JSON.stringify({ v }) + "\n").join(""));
      const parts = batches.map((b, i) => encodeFrame(texts[i], b.length));
      const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let off = 0;
      for (const p of parts) (all.set(p, off), (off += p.length));
      expect(decodeFrames(all)).toBe(texts.join(""));
    }));
  });

  test("the header: magic, version, length, count, the payload's checksum, the header's checksum", () => {
    const f = frame();
    const view = new DataView(f.buffer);
    expect([...f.subarray(0, 4)]).toEqual([0x53, 0x4c, 0x46, 1]);
    expect(view.getUint32(4, true)).toBe(enc.encode(LINES).length);
    expect(view.getUint32(8, true)).toBe(2);
    expect(view.getUint32(12, true)).toBe(crc32(enc.encode(LINES)));
    expect(view.getUint32(16, true)).toBe(crc32(f.subarray(0, 16)));
    expect(FRAME_HEADER_BYTES).toBe(20);
    expect(f.length).toBe(FRAME_HEADER_BYTES + enc.encode(LINES).length);
    expect(frameSize(f, 0)).toBe(f.length);
    expect(frameSize(f.subarray(0, 19), 0)).toBeUndefined();
  });

  test("cut anywhere, a frame is a clear truncation error, never part of a batch", () => {
    const f = frame();
    for (let cut = 1; cut < f.length; cut++) {
      expect(() => decodeFrames(f.subarray(0, cut))).toThrow(/truncated/);
    }
  });

  test("any damaged byte is refused whole, with what is wrong", () => {
    const f = frame();
    for (let i = 0; i < f.length; i++) {
      const bad = f.slice();
      bad[i] ^= 0x20;
      let err: unknown;
      try {
        decodeFrames(bad);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(FrameError);
    }
    const at = (i: number, v: number) => { const b = f.slice(); b[i] = v; return b; };
    expect(() => decodeFrames(at(0, 0x7b))).toThrow(/not a frame \(bad magic/);
    expect(() => decodeFrames(at(3, 2))).toThrow(/version 2 is not supported/);
    expect(() => decodeFrames(at(8, 3))).toThrow(/header checksum mismatch/);
    expect(() => decodeFrames(at(5, 0x7f))).toThrow(/header checksum mismatch/);
    expect(() => decodeFrames(at(FRAME_HEADER_BYTES + 2, 0x58))).toThrow(/checksum mismatch/);
    expect(() => decodeFrames(f, 10)).toThrow(/over the 10-byte limit/);
  });

  test("a frame with good checksums but bad UTF-8, a wrong count or no final newline is refused", () => {
    const withPayload = frameBytes;
    expect(decodeFrames(withPayload(enc.encode('{"a":1}\n'), 1))).toBe('{"a":1}\n');
    expect(() => decodeFrames(withPayload(new Uint8Array([0x7b, 0xff, 0x7d, 10]), 1))).toThrow(/not valid UTF-8/);
    expect(() => decodeFrames(withPayload(enc.encode('{"a":1}\n{"b":2}\n'), 3))).toThrow(/says 3 records but holds 2 lines/);
    expect(() => decodeFrames(withPayload(enc.encode('{"a":1}\n{"b":2}'), 1))).toThrow(/does not end in a newline/);
    expect(decodeFrames(withPayload(new Uint8Array(0), 0))).toBe("");
  });
});

describe("frame stream stages", () => {
  test("the decoder takes frames cut at every byte and emits each batch once it is whole", async () => {
    const two = new Uint8Array([...frame(), ...encodeFrame('{"msg":"z"}\n', 1)]);
    for (let cut = 1; cut < two.length; cut++) {
      const out = await collect(bytesStream([two.subarray(0, cut), two.subarray(cut)]).pipeThrough(new FrameDecoderStream()));
      expect(out).toEqual([LINES, '{"msg":"z"}\n']);
    }
    const bytewise = await collect(bytesStream([...two].map((b) => new Uint8Array([b]))).pipeThrough(new FrameDecoderStream()));
    expect(bytewise.join("")).toBe(LINES + '{"msg":"z"}\n');
  });

  test("the decoder errors on a stream that ends inside a frame, or on a corrupt one", async () => {
    const f = frame();
    await expect(collect(bytesStream([f, f.subarray(0, 20)]).pipeThrough(new FrameDecoderStream()))).rejects.toThrow(/stream ended 20 bytes into a frame/);
    const bad = f.slice();
    bad[FRAME_HEADER_BYTES] ^= 1;
    await expect(collect(bytesStream([bad]).pipeThrough(new FrameDecoderStream()))).rejects.toThrow(/checksum mismatch/);
    await expect(collect(bytesStream([f]).pipeThrough(new FrameDecoderStream(8)))).rejects.toThrow(/over the 8-byte limit/);
  });

  test("a damaged length errors the decoder at once, without waiting for bytes that never come", async () => {
    const f = frame();
    f[6] = 0x7f; // the payload length now claims megabytes
    const open = new ReadableStream<Uint8Array>({ start(c) { c.enqueue(f); } }); // never closed
    const reader = open.pipeThrough(new FrameDecoderStream()).getReader();
    await expect(reader.read()).rejects.toThrow(/header checksum mismatch/);
  });

  test("the encoder makes one frame a non-empty batch; encoder into decoder gives the NDJSON back", async () => {
    const batch = [createRecord(0, "info", "http", "a", ',"n":1}'), createRecord(1, "warn", undefined, "b", "}")];
    const out = await collect(ReadableStream.from([batch, [], batch]).pipeThrough(new FrameEncoderStream()));
    expect(out.length).toBe(2);
    const lines = await collect(ReadableStream.from(out).pipeThrough(new FrameDecoderStream()));
    expect(lines[0]).toBe(batch.map((r) => r.json + "\n").join(""));
  });
});

describe("frames over HTTP", () => {
  test("httpSink body: \"frame\" reaches the collector's files, gzipped or not", async () => {
    const c = await collector();
    for (const gzip of [true, false]) {
      const log = createLogger({ sinks: [httpSink(`${c.url}/ingest`, { token: TOKEN, body: "frame", gzip, producer: `p-${gzip}`, batch: { maxRecords: 100 } })] });
      for (let i = 0; i < 500; i++) log.info("framed", { i, s: "✓" });
      await log.close();
      expect(log.stats()).toMatchObject({ written: 500, dropped: {} });
    }
    const got = records(c.dir);
    expect(got.length).toBe(1000);
    expect(got.filter((r) => r.producer === "p-true").map((r) => r.i)).toEqual(Array.from({ length: 500 }, (_, i) => i));
    expect(got[0]).toMatchObject({ msg: "framed", s: "✓" });
  });

  test("the collector refuses a damaged or truncated frame with 400 and writes none of it", async () => {
    const c = await collector();
    const post = (body: Uint8Array) => fetch(`${c.url}/ingest`, { method: "POST", body, headers: { authorization: `Bearer ${TOKEN}`, "content-type": FRAME_CONTENT_TYPE } });
    const f = frame();
    const bad = f.slice();
    bad[FRAME_HEADER_BYTES + 3] ^= 1;
    const truncated = await post(new Uint8Array([...f, ...f.subarray(0, f.length - 1)]));
    expect(truncated.status).toBe(400);
    expect((await truncated.json()).error).toMatch(/truncated/);
    const corrupt = await post(bad);
    expect(corrupt.status).toBe(400);
    expect((await corrupt.json()).error).toMatch(/checksum mismatch/);
    expect(existsSync(join(c.dir, "default.ndjson"))).toBe(false);
    expect((await post(f)).status).toBe(200);
    expect(records(c.dir).map((r) => r.msg)).toEqual(["a", "héllo ✓ 😀"]);
  });

  test("a frame damaged on the way is sent again (the sender's copy is whole) and written once", async () => {
    const c = await collector();
    let calls = 0;
    const damaging: typeof fetch = async (input, init) => {
      calls++;
      if (calls === 1) {
        const body = new Uint8Array(init!.body as Uint8Array).slice();
        body[FRAME_HEADER_BYTES + 5] ^= 0x01;
        return fetch(input, { ...init, body });
      }
      return fetch(input, init);
    };
    const errors: Error[] = [];
    const log = createLogger({
      sinks: [httpSink(`${c.url}/ingest`, { token: TOKEN, body: "frame", gzip: false, fetch: damaging, retry: { baseDelayMs: 5, maxDelayMs: 20 } })],
      onError: (e) => errors.push(e),
    });
    for (let i = 0; i < 5; i++) log.info("r", { i });
    await log.close();
    expect(calls).toBe(2);
    expect(records(c.dir).map((r) => r.i)).toEqual([0, 1, 2, 3, 4]);
    expect(log.stats()).toMatchObject({ written: 5, dropped: {} });
    expect(errors).toEqual([]);
  });

  test("httpSink refuses an unknown body form", () => {
    expect(() => httpSink("http://127.0.0.1:1/ingest", { body: "xml" as never })).toThrow(/body must be "ndjson" or "frame"/);
  });
});
