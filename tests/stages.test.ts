// The stream stages on their own: BatchStream, the encoders, the formatters.
import { describe, expect, test } from "bun:test";
import { BatchStream, createRecord, formatNdjson, LineEncoderStream, NdjsonEncoderStream, TextFormatEncoderStream, textFormatter, type LogRecord } from "../mod.ts";

const rec = (msg: string, data = ""): LogRecord => createRecord(0, "info", undefined, msg, data + "}");
const collect = async <T>(s: ReadableStream<T>) => { const out: T[] = []; for await (const x of s) out.push(x); return out; };

describe("BatchStream", () => {
  test("closes batches by count and emits the rest at the end", async () => {
    const out = await collect(ReadableStream.from([1, 2, 3, 4, 5]).pipeThrough(new BatchStream<number>({ maxRecords: 2 })));
    expect(out).toEqual([[1, 2], [3, 4], [5]]);
  });

  test("closes batches by bytes", async () => {
    const out = await collect(ReadableStream.from(["aaaa", "bb", "cccccc", "d"]).pipeThrough(new BatchStream<string>({ maxBytes: 5, sizeOf: (s) => s.length })));
    expect(out).toEqual([["aaaa", "bb"], ["cccccc"], ["d"]]);
  });

  test("closes a batch by age while the input stays open", async () => {
    const { readable, writable } = new TransformStream<number, number>();
    const batches = readable.pipeThrough(new BatchStream<number>({ maxRecords: 100, maxAgeMs: 10 })).getReader();
    const w = writable.getWriter();
    void w.write(1);
    void w.write(2);
    const first = await batches.read(); // nothing more arrives: only the age limit can close it
    expect(first.value).toEqual([1, 2]);
    await w.close();
  });

  test("rejects limits that make no sense", () => {
    expect(() => new BatchStream({ maxRecords: 0 })).toThrow(/maxRecords must be a positive number/);
    expect(() => new BatchStream({ maxAgeMs: -1 })).toThrow(/maxAgeMs must be zero or more/);
  });
});

describe("encoders", () => {
  test("NdjsonEncoderStream writes one UTF-8 line per record, one chunk per batch", async () => {
    const chunks = await collect(ReadableStream.from([[rec("a", ',"n":1'), rec("ü")], [rec("c")]]).pipeThrough(new NdjsonEncoderStream()));
    expect(chunks.length).toBe(2);
    const text = new TextDecoder().decode(chunks[0]);
    expect(text).toBe('{"time":"1970-01-01T00:00:00.000Z","level":"info","msg":"a","n":1}\n{"time":"1970-01-01T00:00:00.000Z","level":"info","msg":"ü"}\n');
  });

  test("LineEncoderStream takes a custom formatter; TextFormatEncoderStream the text format", async () => {
    const [custom] = await collect(ReadableStream.from([[rec("x")]]).pipeThrough(new LineEncoderStream((r) => `${r.level}|${r.msg}`)));
    expect(new TextDecoder().decode(custom)).toBe("info|x\n");
    const [text] = await collect(ReadableStream.from([[rec("y", ',"k":"v"')]]).pipeThrough(new TextFormatEncoderStream()));
    expect(new TextDecoder().decode(text)).toBe('1970-01-01T00:00:00.000Z INFO  y k="v"\n');
  });

  test("the text format colours the level only when asked", () => {
    const r = createRecord(0, "error", "db", "down", "}");
    expect(textFormatter()(r)).toBe("1970-01-01T00:00:00.000Z ERROR [db] down");
    expect(textFormatter({ color: true })(r)).toContain("\x1b[31mERROR\x1b[0m");
  });

  test("formatNdjson escapes messages and categories", () => {
    const line = formatNdjson(createRecord(0, "info", 'a"b', 'line\nbreak "q"', "}"));
    expect(JSON.parse(line)).toEqual({ time: "1970-01-01T00:00:00.000Z", level: "info", category: 'a"b', msg: 'line\nbreak "q"' });
  });
});
