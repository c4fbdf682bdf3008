// The JetStream message format (jetstream/message.ts) shared by serve --jetstream, jetstreamSink
// and sluice consume: subjects, msgIDs, one message per category, and the round trip of records.
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { batchId, categorySubject, encodeBatch, subjectPrefix } from "../jetstream/message.ts";
import { appendableLines, decodeMessage, MessageDecodeError, messageText } from "../jetstream/message_read.ts";
import { GZIP_FROM_BYTES, MAX_INFLATED_BYTES } from "../jetstream/compression.ts";
import { gzipSync } from "node:zlib";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { createRecord, type LogRecord } from "../mod.ts";
import { parseNdjson } from "../lib/format/ndjson_decode.ts";
import { LEVEL_NAMES } from "../lib/levels.ts";

const enc = new TextEncoder();
const text = (d: Uint8Array) => new TextDecoder().decode(d);
// a NATS subject token: no whitespace, no wildcard, not empty
const validSubject = (s: string) => s.split(".").every((t) => t !== "" && !/[\s*>]/.test(t));

describe("subjects", () => {
  test("a category's dots are subject tokens; no category is default; a trailing dot is escaped", () => {
    expect(categorySubject("sluice.logs", "http.db")).toBe("sluice.logs.http.db");
    expect(categorySubject("sluice.logs", undefined)).toBe("sluice.logs.default");
    expect(categorySubject("sluice.logs", "")).toBe("sluice.logs.default");
    expect(categorySubject("sluice.logs", "http.")).toBe("sluice.logs.http%2E");
    expect(categorySubject("sluice.logs", "a..b")).toBe("sluice.logs.a.%2Eb");
    expect(categorySubject("sluice.logs", ".hidden")).toBe("sluice.logs.%2Ehidden");
    expect(categorySubject("sluice.logs", "a b*>")).toBe("sluice.logs.a%20b%2A%3E");
  });

  test("every category gives a valid subject under the prefix, and different file names never share one (seeded fuzz)", () => {
    const seen = new Map<string, string>();
    fc.assert(fc.property(fc.oneof(fc.string(), fc.string({ unit: "binary" }), fc.constantFrom(".", "..", "a.", "a..", "...", "%2E", ".%2E")), (c) => {
      const s = categorySubject("sluice.logs", c);
      expect(s.startsWith("sluice.logs.")).toBe(true);
      expect(validSubject(s)).toBe(true);
      const before = seen.get(s);
      if (before !== undefined) expect(categorySubject("sluice.logs", before)).toBe(s);
      seen.set(s, c);
    }), { seed: 11, numRuns: 2000 });
  });

  test("subjectPrefix takes the stream's subject without .> and refuses a subject that is not a prefix", () => {
    expect(subjectPrefix("sluice.logs.>")).toBe("sluice.logs");
    expect(subjectPrefix("app.logs")).toBe("app.logs");
    expect(() => subjectPrefix("sluice.*.>")).toThrow(/stream subject/);
    expect(() => subjectPrefix(">")).toThrow(/stream subject/);
    expect(() => subjectPrefix("a..b.>")).toThrow(/stream subject/);
  });
});

describe("batch ids", () => {
  test("the same (token, producer, key) gives the same id on every collector; any difference another", async () => {
    const a = await batchId("edge", "edge-1", "k1");
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(await batchId("edge", "edge-1", "k1")).toBe(a);
    const others = await Promise.all([batchId("edge", "edge-2", "k1"), batchId("edge2", "edge-1", "k1"), batchId("edge", "edge-1", "k2"), batchId("edge", "edge-1", enc.encode("k1"))]);
    expect(new Set([a, ...others]).size).toBe(5);
    expect(await batchId("edge", "edge-1", enc.encode("body"))).toBe(await batchId("edge", "edge-1", enc.encode("body")));
    // the fields are framed, so moving text from one to the other changes the id
    expect(await batchId("ab", "c", "k")).not.toBe(await batchId("a", "bc", "k"));
  });
});

describe("encode and decode", () => {
  const rec = (category: string | undefined, msg: string, tail = "}") => createRecord(1_700_000_000_000, "info", category, msg, tail);

  test("one message per category, in first-seen order, with the headers consume relies on", () => {
    const records = [rec("http", "a"), rec(undefined, "b"), rec("http", "c", ',"n":1}'), rec("http.db", "d")];
    const msgs = encodeBatch("sluice.logs", records, { id: "B1", producer: "api-1", token: "edge" });
    expect(msgs.map((m) => m.subject)).toEqual(["sluice.logs.http", "sluice.logs.default", "sluice.logs.http.db"]);
    expect(msgs.map((m) => m.msgID)).toEqual(["B1:http", "B1:default", "B1:http.db"]);
    expect(msgs[0].headers).toEqual({ "Nats-Msg-Id": "B1:http", "Sluice-Producer": "api-1", "Sluice-Token": "edge", "Content-Type": "application/x-ndjson" });
    expect(text(msgs[0].data)).toBe(records[0].json + "\n" + records[2].json + "\n");
    expect(decodeMessage(msgs[0].data)).toEqual([records[0], records[2]]);
    expect(encodeBatch("p", [rec("x", "y")], { id: "B2", producer: "svc" })[0].headers["Sluice-Token"]).toBeUndefined();
  });

  test("records round-trip exactly, as the collector parsed them (seeded fuzz)", () => {
    const value = fc.oneof(fc.string(), fc.string({ unit: "binary" }), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null));
    const line = fc.record({
      time: fc.integer({ min: -8.64e15, max: 8.64e15 }),
      level: fc.constantFrom(...LEVEL_NAMES),
      category: fc.option(fc.oneof(fc.string(), fc.constantFrom("http.db", "a.", "..")), { nil: undefined }),
      msg: fc.string({ unit: "binary" }),
      extra: fc.dictionary(fc.string().filter((k) => !["time", "level", "category", "msg", "producer", "__proto__"].includes(k)), value, { maxKeys: 3 }),
    });
    fc.assert(fc.property(fc.array(line, { minLength: 1, maxLength: 8 }), (lines) => {
      const body = lines.map((l) => JSON.stringify({ time: new Date(l.time).toISOString(), level: l.level, category: l.category, msg: l.msg, ...l.extra })).join("\n");
      const records = parseNdjson(body, "p-1", 1 << 20).records;
      expect(records.length).toBe(lines.length);
      const msgs = encodeBatch("sluice.logs", records, { id: "X", producer: "p-1" });
      const back = msgs.flatMap((m) => decodeMessage(m.data));
      const sortKey = (r: LogRecord) => r.json;
      expect(back.map(sortKey).sort()).toEqual(records.map(sortKey).sort());
      expect(back.map((r) => r.fieldsAt)).toEqual(back.map((r) => records.find((x) => x.json === r.json)!.fieldsAt));
      for (const m of msgs) {
        expect(validSubject(m.subject)).toBe(true);
        // what a publisher writes, sluice consume appends as it is
        const decoded = decodeMessage(m.data);
        expect(appendableLines(m.data)).toEqual({ category: decoded[0].category, count: decoded.length });
      }
    }), { seed: 42, numRuns: 300 });
  });

  test("a message appended as it is holds exactly the lines decoding and rewriting it would write (seeded fuzz)", () => {
    const times = fc.oneof(fc.integer({ min: -8.64e15, max: 8.64e15 }).map((t) => new Date(t).toISOString()), fc.constantFrom("2026-02-30T00:00:00.000Z", "1970-01-01T00:00:00Z", "1970-01-01T00:00:00.000+00:00", " 1970-01-01T00:00:00.000Z", "+001970-01-01T00:00:00.000Z", "x"), fc.integer());
    const field = fc.constantFrom("time", "level", "category", "msg", "n");
    const values = { time: times, level: fc.oneof(fc.constantFrom(...LEVEL_NAMES), fc.constantFrom("loud", "")), category: fc.oneof(fc.constantFrom("http", "db", "a.b", ""), fc.string({ maxLength: 3 }), fc.integer()), msg: fc.oneof(fc.string({ unit: "binary", maxLength: 6 }), fc.integer()), n: fc.jsonValue({ maxDepth: 1 }) };
    // a line: some of the fields in some order (duplicates too), then maybe an edit of its text
    const line = fc.tuple(fc.array(fc.tuple(field, fc.nat()), { minLength: 0, maxLength: 6 }), fc.array(fc.oneof(times, values.level, values.category, values.msg), { minLength: 6, maxLength: 6 }), fc.option(fc.tuple(fc.nat(), fc.constantFrom(" ", "\\u0041", ",", "}", "\"", "A")), { nil: undefined })).map(([fields, vals, edit]) => {
      const members = fields.map(([f], i) => `${JSON.stringify(f)}:${JSON.stringify(f === "n" ? 1 : vals[i])}`);
      let s = `{${members.join(",")}}`;
      if (edit) s = s.slice(0, edit[0] % (s.length + 1)) + edit[1] + s.slice(edit[0] % (s.length + 1));
      return s;
    });
    const canonical = fc.record({ time: fc.integer({ min: 0, max: 4e12 }), level: fc.constantFrom(...LEVEL_NAMES), msg: fc.string({ unit: "binary", maxLength: 6 }) }).map((r) => createRecord(r.time, r.level, "http", r.msg, ',"n":1}').json);
    let appended = 0;
    fc.assert(fc.property(fc.array(fc.oneof({ weight: 3, arbitrary: canonical }, { weight: 1, arbitrary: line }), { minLength: 1, maxLength: 5 }), (lines) => {
      const data = enc.encode(lines.join("\n") + "\n");
      const lines2 = appendableLines(data);
      if (lines2 === undefined) {
        // read into records instead: each one's text is a JSON object with its fields
        let records: LogRecord[] = [];
        try {
          records = decodeMessage(data);
        } catch (err) {
          expect(err).toBeInstanceOf(MessageDecodeError);
        }
        for (const r of records) expect(JSON.parse(r.json)).toMatchObject({ level: r.level, msg: r.msg });
        return;
      }
      appended++;
      const records = decodeMessage(data);
      expect(enc.encode(records.map((r) => r.json + "\n").join(""))).toEqual(data);
      expect(lines2.count).toBe(records.length);
      for (const r of records) expect(r.category).toBe(lines2.category);
    }), { seed: 23, numRuns: 3000 });
    expect(appended).toBeGreaterThan(500); // the property was exercised, not vacuous
  });

  test("a message in sluice's form with one edit a publisher could make (an escape, a BOM, a second msg, \\r, a space) is appended only when rewriting gives the same bytes (seeded fuzz)", () => {
    const record = fc.record({ time: fc.integer({ min: 0, max: 4e12 }), level: fc.constantFrom(...LEVEL_NAMES), category: fc.constantFrom(undefined, "http", "a.b"), msg: fc.string({ unit: "binary", minLength: 1, maxLength: 6 }) })
      .map((r) => createRecord(r.time, r.level, r.category, r.msg, ',"n":1}'));
    // each edit keeps the line JSON with the same time, level and category
    const edits: ((r: LogRecord) => string)[] = [
      (r) => r.json.replace('"msg":"', '"msg":"\\u0041'),
      (r) => r.json.slice(0, -1) + ',"msg":"other"}',
      (r) => r.json.slice(0, -1) + ',"msg":' + JSON.stringify(r.msg) + "}",
      (r) => r.json + "\r",
      (r) => r.json + " ",
      (r) => r.json.slice(0, -1) + ' }',
      (r) => r.json.replace(/\//g, "\\/"),
    ];
    let appended = 0, refused = 0;
    fc.assert(fc.property(fc.array(record, { minLength: 1, maxLength: 4 }), fc.nat(), fc.nat({ max: edits.length }), fc.boolean(), (records, which, edit, bom) => {
      const lines = records.map((r) => r.json);
      const i = which % lines.length;
      if (edit < edits.length) lines[i] = edits[edit](records[i]);
      const data = enc.encode((bom ? "\ufeff" : "") + lines.join("\n") + "\n");
      const edited = JSON.parse(lines[i]);
      expect([edited.level, edited.category]).toEqual([records[i].level, records[i].category]);
      const take = appendableLines(data);
      let rewritten: Uint8Array | undefined;
      try {
        rewritten = enc.encode(decodeMessage(data).map((r) => r.json + "\n").join(""));
      } catch (err) {
        expect(err).toBeInstanceOf(MessageDecodeError);
      }
      if (take === undefined) return void refused++;
      appended++;
      expect(rewritten).toEqual(data); // what is appended as it is, byte for byte
    }), { seed: 29, numRuns: 3000 });
    expect([appended > 200, refused > 1000]).toEqual([true, true]); // both sides exercised
  });

  test("appendableLines refuses what must be rewritten or refused: mixed categories, other field order, foreign times, bad lines", () => {
    const line = (category?: string) => createRecord(0, "info", category, "a", "}").json + "\n";
    expect(appendableLines(enc.encode(line("http") + line("http")))).toEqual({ category: "http", count: 2 });
    expect(appendableLines(enc.encode(line("http") + line("db")))).toBeUndefined();
    expect(appendableLines(enc.encode(line() + line("db")))).toBeUndefined();
    expect(appendableLines(enc.encode('{"level":"info","time":"1970-01-01T00:00:00.000Z","msg":"a"}\n'))).toBeUndefined();
    expect(appendableLines(enc.encode('{"time":"1970-01-01T00:00:00Z","level":"info","msg":"a"}\n'))).toBeUndefined();
    expect(appendableLines(enc.encode('{"time":"1970-01-01T00:00:00.000Z","level":"info","msg":5}\n'))).toBeUndefined();
    expect(appendableLines(enc.encode(line().slice(0, -1)))).toBeUndefined();
    expect(appendableLines(enc.encode(""))).toBeUndefined();
    expect(appendableLines(new Uint8Array([0xff, 0x0a]))).toBeUndefined();
    // the message is compared as written: an escape sluice does not write, or a second msg that JSON.parse takes
    expect(appendableLines(enc.encode('{"time":"1970-01-01T00:00:00.000Z","level":"info","msg":"\\u0041"}\n'))).toBeUndefined();
    expect(appendableLines(enc.encode('{"time":"1970-01-01T00:00:00.000Z","level":"info","msg":"a","msg":"b"}\n'))).toBeUndefined();
    expect(appendableLines(enc.encode("\ufeff" + line()))).toBeUndefined();
    expect(appendableLines(enc.encode(line().slice(0, -1) + "\r\n"))).toBeUndefined();
    expect(decodeMessage(enc.encode('{"time":"1970-01-01T00:00:00.000Z","level":"info","msg":"a","msg":"b"}\n'))[0].json).toBe('{"time":"1970-01-01T00:00:00.000Z","level":"info","msg":"b"}');
    expect(decodeMessage(enc.encode("\ufeff" + line().slice(0, -1) + "\r\n"))[0].json + "\n").toBe(line());
  });

  test("a message from 1 KiB is gzipped (Content-Encoding: gzip) and reads back exactly; a smaller one stays plain", () => {
    const records = Array.from({ length: 200 }, (_, i) => rec("http", `request ${i}`, `,"i":${i},"route":"/api/items"}`));
    const [big] = encodeBatch("sluice.logs", records, { id: "G", producer: "api-1" });
    const lines = records.map((r) => r.json + "\n").join("");
    expect(lines.length).toBeGreaterThan(GZIP_FROM_BYTES);
    expect(big.headers["Content-Encoding"]).toBe("gzip");
    expect([big.data[0], big.data[1]]).toEqual([0x1f, 0x8b]);
    expect(big.data.length).toBeLessThan(lines.length / 5);
    expect(text(messageText(big.data))).toBe(lines);
    expect(decodeMessage(big.data)).toEqual(records);
    expect(appendableLines(messageText(big.data))).toEqual({ category: "http", count: 200 });
    const [small] = encodeBatch("sluice.logs", records.slice(0, 2), { id: "S", producer: "api-1" });
    expect(small.headers["Content-Encoding"]).toBeUndefined();
    expect(text(small.data)).toBe(records[0].json + "\n" + records[1].json + "\n");
  });

  test("a gzipped message that is not gzip, or inflates past 64 MiB, is a MessageDecodeError, not inflated", () => {
    const reason = (data: Uint8Array) => {
      try {
        decodeMessage(data);
      } catch (err) {
        expect(err).toBeInstanceOf(MessageDecodeError);
        return (err as Error).message;
      }
      throw new Error("decoded");
    };
    expect(reason(new Uint8Array([0x1f, 0x8b, 1, 2, 3]))).toBe("the message is not valid gzip");
    const line = enc.encode(rec(undefined, "x").json + "\n");
    const bomb = new Uint8Array(MAX_INFLATED_BYTES + line.length);
    for (let at = 0; at + line.length <= bomb.length; at += line.length) bomb.set(line, at);
    expect(reason(gzipSync(bomb, { level: 1 }))).toBe(`the gzipped message inflates past ${MAX_INFLATED_BYTES} bytes`);
    expect(() => messageText(gzipSync(bomb, { level: 1 }))).toThrow(MessageDecodeError);
  });

  test("a message of 64 MiB of newlines (65 KB gzipped) is refused at its first line in bounded memory (VmHWM)", () => {
    const code = `import { decodeMessage } from "./jetstream/message_read.ts";
      import { gzipSync } from "node:zlib";
      import { readFileSync } from "node:fs";
      const hwm = () => Number(/VmHWM:\\s+(\\d+)/.exec(readFileSync("/proc/self/status", "utf8"))[1]) * 1024;
      const payload = gzipSync(new Uint8Array(${MAX_INFLATED_BYTES} - 1).fill(10));
      const before = hwm();
      let reason = "";
      try { decodeMessage(payload); } catch (e) { reason = e.message; }
      console.log(JSON.stringify({ size: payload.length, reason, grew: hwm() - before }));`;
    const r = spawnSync(process.execPath, ["-e", code], { encoding: "utf8", cwd: join(import.meta.dir, "..") });
    const out = JSON.parse(r.stdout);
    expect([out.size < 100_000, out.reason]).toEqual([true, 'line 1: JSON Parse error: Unexpected EOF']);
    // the inflated bytes and their text, not an array of 64 M lines (1.4 GB more before)
    expect(out.grew).toBeLessThan(5 * MAX_INFLATED_BYTES);
  });

  test("a message that is not sluice NDJSON is a MessageDecodeError saying why", () => {
    const bad = (s: string | Uint8Array) => {
      try {
        decodeMessage(typeof s === "string" ? enc.encode(s) : s);
      } catch (err) {
        expect(err).toBeInstanceOf(MessageDecodeError);
        return (err as Error).message;
      }
      throw new Error("decoded");
    };
    expect(bad("")).toMatch(/NDJSON lines ending in a newline/);
    expect(bad('{"time":"1970-01-01T00:00:00.000Z","level":"info","msg":"a"}')).toMatch(/ending in a newline/);
    expect(bad(new Uint8Array([0xff, 0x0a]))).toMatch(/not UTF-8/);
    expect(bad('{"time":"1970-01-01T00:00:00.000Z","level":"info","msg":"a"}\nnope\n')).toMatch(/^line 2: /);
    expect(bad('{"time":"x","level":"info","msg":"a"}\n')).toMatch(/line 1: time/);
    expect(bad('{"time":"1970-01-01T00:00:00.000Z","level":"loud","msg":"a"}\n')).toMatch(/not a sluice record/);
    expect(bad("[1]\n")).toMatch(/not a JSON object|not a sluice record/);
  });

  test("any bytes either decode to records or throw MessageDecodeError, never anything else (seeded fuzz)", () => {
    const gzipped = fc.oneof(fc.uint8Array({ maxLength: 64 }).map((b) => new Uint8Array([0x1f, 0x8b, ...b])), fc.string().map((s) => new Uint8Array(gzipSync(enc.encode(s + "\n")))));
    fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.string().map((s) => enc.encode(s + "\n")), fc.jsonValue().map((v) => enc.encode(JSON.stringify(v) + "\n")), gzipped), (data) => {
      try {
        for (const r of decodeMessage(data)) expect(typeof r.json).toBe("string");
      } catch (err) {
        expect(err).toBeInstanceOf(MessageDecodeError);
      }
    }), { seed: 7, numRuns: 1000 });
  });
});
