// Ingest writes what arrives: NDJSON lines already in sluice's form are appended as the bytes
// that came in (with the producer in place of the closing brace), not decoded and encoded again.
// The bytes on disk must be those the record path writes: the same bodies go to one collector as
// NDJSON (the fast path) and to another inside binary frames (always the record path), and every
// category file must come out byte for byte the same (seeded fuzz, both sides exercised).
import { afterAll, describe, expect, test } from "bun:test";
import fc from "fast-check";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createIngestApp } from "../server.ts";
import { createRecord, LEVEL_NAMES, type LevelName } from "../mod.ts";
import { frameBytes, FRAME_CONTENT_TYPE } from "../lib/format/frame.ts";
import { parseNdjson } from "../lib/format/ndjson_decode.ts";

const TOKEN = "as-sent-token";
const enc = new TextEncoder();
const collector = () => {
  const dir = mkdtempSync(join(tmpdir(), "sluice-as-sent-"));
  const app = createIngestApp({ dir, tokens: [{ name: "as-sent", token: TOKEN, producers: ["*"] }], rateLimit: { recordsPerSec: 1e9, burst: 1e9 } });
  return { dir, app };
};
const fast = collector();
const framed = collector();
afterAll(async () => {
  await fast.app.close();
  await framed.app.close();
});
const post = (app: ReturnType<typeof createIngestApp>, body: Uint8Array, type: string) =>
  app.fetch(new Request("http://collector/ingest", { method: "POST", body, headers: { authorization: `Bearer ${TOKEN}`, "content-type": type, "x-sluice-producer": "edge/1:a@b" } }));
/** Every category file of a collector (its own `sluice.ndjson` aside), name to bytes. */
const files = (dir: string) => Object.fromEntries(readdirSync(dir).filter((f) => f.endsWith(".ndjson") && f !== "sluice.ndjson").sort().map((f) => [f, readFileSync(join(dir, f))]));

describe("ingest appends lines in sluice's form as they came", () => {
  test("the bytes on disk are those the record path writes, for bodies in sluice's form, edited, or mixed (seeded fuzz)", async () => {
    const categories = [undefined, "http", "", "db"];
    const record = fc.record({
      time: fc.integer({ min: 0, max: 4e12 }),
      level: fc.constantFrom(...LEVEL_NAMES),
      category: fc.nat({ max: 3 }),
      msg: fc.string({ unit: "binary", maxLength: 8 }),
      tail: fc.constantFrom("}", ',"n":1}', ',"u":"\\u00e9x","k":[1,{"a":null}]}', ',"é":"ü€😀"}', ',"n" : 1.50}'),
    });
    /** A line in sluice's form; its category is the body's unless the body mixes them. */
    const lineOf = (r: { time: number; level: string; category: number; msg: string; tail: string }, bodyCategory: number | undefined) =>
      createRecord(r.time, r.level as LevelName, categories[bodyCategory ?? r.category], r.msg, r.tail).json;
    // edits a client could make: each keeps the line a record, most take it off the fast path
    const edits: ((line: string) => string)[] = [
      (l) => l.replace('"msg":"', '"msg":"\\u0041'),
      (l) => l.slice(0, -1) + ',"msg":"other"}',
      (l) => l + "\r",
      (l) => l + " ",
      (l) => " " + l,
      (l) => l.slice(0, -1) + ',"producer":"mine"}',
      (l) => l.replace(/"time":"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.\d+Z"/, '"time":"$1Z"'),
      (l) => l.slice(0, -2),
      (l) => l + "\n",
    ];
    let appended = 0;
    let rewritten = 0;
    const edit = fc.oneof({ weight: 6, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.nat({ max: edits.length - 1 }) });
    const bodyCategory = fc.oneof({ weight: 4, arbitrary: fc.nat({ max: 3 }) }, { weight: 1, arbitrary: fc.constant(undefined) }); // undefined: each line its own
    await fc.assert(fc.asyncProperty(fc.array(fc.tuple(record, edit), { minLength: 1, maxLength: 6 }), bodyCategory, fc.boolean(), fc.oneof({ weight: 8, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }), async (lines, category, newline, bom) => {
      const text = (bom ? "\ufeff" : "") + lines.map(([r, e]) => (e === undefined ? lineOf(r, category) : edits[e](lineOf(r, category)))).join("\n") + (newline ? "\n" : "");
      const body = enc.encode(text);
      const a = await post(fast.app, body, "application/x-ndjson");
      // a frame's lines end in a newline: one more at the end changes no line
      const payload = newline ? text : text + "\n";
      const b = await post(framed.app, frameBytes(enc.encode(payload), payload.split("\n").length - 1), FRAME_CONTENT_TYPE);
      expect([a.status, await a.json()]).toEqual([b.status, await b.json()]);
      if (parseNdjson(text.replace(/^\ufeff/, ""), "edge/1:a@b", 1 << 20).asSent !== undefined && !bom) appended++;
      else rewritten++;
    }), { seed: 20261206, numRuns: 600 });
    expect(files(fast.dir)).toEqual(files(framed.dir));
    expect(Object.keys(files(fast.dir)).length).toBeGreaterThanOrEqual(3); // default, http, db
    expect({ appended: appended > 150, rewritten: rewritten > 150 }).toEqual({ appended: true, rewritten: true }); // both paths exercised
  }, 60_000);

  test("a producer holding replacement patterns ($&, $', $`, $$) is written as it is, as the record path writes it", async () => {
    // with no X-Sluice-Producer, the token's name is the producer, and a token's name may hold "$"
    for (const name of ["ops$'x", "cost$$", "a$&b", "p$`q", "$1"]) {
      const open = () => {
        const dir = mkdtempSync(join(tmpdir(), "sluice-as-sent-dollar-"));
        return { dir, app: createIngestApp({ dir, tokens: [{ name, token: "T" }], rateLimit: { recordsPerSec: 1e9, burst: 1e9 } }) };
      };
      const [ndjson, frames] = [open(), open()];
      const text = createRecord(0, "info", undefined, "m1", "}").json + "\n" + createRecord(1, "info", undefined, "m2", ',"n":1}').json;
      const headers = (type: string) => ({ authorization: "Bearer T", "content-type": type });
      const a = await ndjson.app.fetch(new Request("http://collector/ingest", { method: "POST", body: enc.encode(text), headers: headers("application/x-ndjson") }));
      const b = await frames.app.fetch(new Request("http://collector/ingest", { method: "POST", body: frameBytes(enc.encode(text + "\n"), 2), headers: headers(FRAME_CONTENT_TYPE) }));
      await ndjson.app.close();
      await frames.app.close();
      expect([a.status, b.status]).toEqual([200, 200]);
      const lines = new TextDecoder().decode(files(ndjson.dir)["default.ndjson"]).split("\n");
      expect(lines.map((l) => l === "" ? "" : JSON.parse(l).producer)).toEqual([name, name, ""]);
      expect(files(ndjson.dir)).toEqual(files(frames.dir));
    }
  });

  test("a body parsed with its records unmade gives, when they are read, the same records, rejections and asSent as one parsed whole (seeded fuzz)", () => {
    const categories = [undefined, "", "db", "http"];
    // each keeps the line a line, most take it off the fast path
    const edits: ((line: string) => string)[] = [(l) => " " + l, (l) => l.slice(0, -2), (l) => l.slice(0, -1) + ',"producer":"x"}', (l) => l + "\r", () => "", (l) => l.replace('"msg":"', '"msg":"\\u0041'), (l) => l + "x".repeat(80)];
    const line = fc.record({
      time: fc.integer({ min: 0, max: 4e12 }),
      level: fc.constantFrom(...LEVEL_NAMES),
      category: fc.nat({ max: 2 }),
      msg: fc.string({ unit: "binary", maxLength: 6 }),
      edit: fc.oneof({ weight: 12, arbitrary: fc.constant(-1) }, { weight: 1, arbitrary: fc.nat({ max: edits.length - 1 }) }),
    });
    const seen = { unmade: 0, made: 0, other: 0 };
    // a body in one category ("http"), or in several: two names of one file (no category, and "") and "db"
    fc.assert(fc.property(fc.array(line, { maxLength: 8 }), fc.boolean(), fc.constantFrom(1 << 20, 120), fc.boolean(), (lines, newline, maxLineBytes, mixed) => {
      const text = lines.map((l) => {
        const own = createRecord(l.time, l.level as LevelName, categories[mixed ? l.category : 3], l.msg, "}").json;
        return l.edit < 0 ? own : edits[l.edit](own);
      }).join("\n") + (newline ? "\n" : "");
      const whole = parseNdjson(text, "edge/1", maxLineBytes, false, { maxErrors: 3 });
      const unmade = parseNdjson(text, "edge/1", maxLineBytes, false, { maxErrors: 3 }, true);
      if (unmade.asSent?.unmade) seen.unmade++;
      else if (unmade.asSent) seen.made++;
      else seen.other++;
      const { unmade: _, ...asSent } = unmade.asSent ?? { count: 0 };
      expect(unmade.asSent === undefined ? undefined : asSent).toEqual(whole.asSent);
      expect([unmade.records, unmade.errors, unmade.rejected]).toEqual([whole.records, whole.errors, whole.rejected]);
    }), { seed: 20261207, numRuns: 1500 });
    expect({ unmade: seen.unmade > 200, made: seen.made > 30, other: seen.other > 200 }).toEqual({ unmade: true, made: true, other: true });
  });

  test("asSent is set only for a body whose every line is taken as it came, for one category file", () => {
    const line = (category?: string, tail = "}") => createRecord(0, "info", category, "m", tail).json;
    const tail = ',"producer":"p"}';
    expect(parseNdjson(line() + "\n" + line("") + "\n", "p", 1 << 20).asSent).toEqual({ category: undefined, tail, count: 2 });
    expect(parseNdjson(line("http") + "\n" + line("http", ',"n":1}'), "p", 1 << 20).asSent).toEqual({ category: "http", tail, count: 2 });
    // unmade: only for one category (not merely one file), and the records come when read
    expect(parseNdjson(line() + "\n" + line("") + "\n", "p", 1 << 20, false, {}, true).asSent).toEqual({ category: undefined, tail, count: 2 });
    const unmade = parseNdjson(line("http") + "\n" + line("http", ',"n":1}'), "p", 1 << 20, false, {}, true);
    expect(unmade.asSent).toEqual({ category: "http", tail, count: 2, unmade: true });
    expect(unmade.records).toEqual(parseNdjson(line("http") + "\n" + line("http", ',"n":1}'), "p", 1 << 20).records);
    expect(parseNdjson(line("http") + "\n" + line("db") + "\n", "p", 1 << 20).asSent).toBeUndefined();
    expect(parseNdjson(line() + "\n\n" + line() + "\n", "p", 1 << 20).asSent).toBeUndefined();
    expect(parseNdjson(line() + "\r\n", "p", 1 << 20).asSent).toBeUndefined();
    expect(parseNdjson(line() + '\n{"msg":1}\n', "p", 1 << 20).asSent).toBeUndefined();
    expect(parseNdjson('{"msg":"m"}\n', "p", 1 << 20).asSent).toBeUndefined();
    const records = parseNdjson(line("http", ',"n":1}') + "\n", "p", 1 << 20).records;
    expect(records.map((r) => r.json)).toEqual([line("http", ',"n":1,"producer":"p"}')]);
  });
});
