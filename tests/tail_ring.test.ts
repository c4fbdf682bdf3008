// The tail ring (collector/tail/record_ring.ts) keeps a body taken whole as its text and makes its
// records again when read: every record read back is the one ingest made, whatever mix of bodies
// and record batches was pushed under whatever bounds (seeded fuzz), and its byte bound holds in
// the heap for records of either kind.
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createIngestApp } from "../server.ts";
import { createRecord, LEVEL_NAMES, type LevelName, type LogRecord } from "../mod.ts";
import { parseNdjson } from "../lib/format/ndjson_decode.ts";
import { RecordRing } from "../collector/tail/record_ring.ts";

describe("the tail ring", () => {
  test("every record read back is the one ingest made, for bodies kept as text and batches of records, under any bounds (seeded fuzz)", () => {
    const categories = [undefined, "http", "db"];
    const line = fc.record({
      time: fc.integer({ min: 0, max: 4e12 }),
      level: fc.constantFrom(...LEVEL_NAMES),
      msg: fc.string({ unit: "binary", maxLength: 12 }),
      tail: fc.constantFrom("}", ',"n":1}', ',"é":"ü€😀","k":[1,{"a":null}]}', ',"n" : 1.50}'),
    });
    const batch = fc.record({ lines: fc.array(line, { minLength: 1, maxLength: 12 }), category: fc.nat({ max: 2 }), newline: fc.boolean(), producer: fc.constantFrom("edge-1", 'p"\\ü'), edit: fc.oneof(fc.constant(-1), fc.nat({ max: 11 })) });
    const kept = { bodies: 0, records: 0 };
    fc.assert(fc.property(fc.array(batch, { minLength: 1, maxLength: 30 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 3000 }), (batches, maxRecords, maxBytes) => {
      const ring = new RecordRing(maxRecords, maxBytes);
      const all: LogRecord[] = [];
      for (const b of batches) {
        // an edited line (a space before it) is not in sluice's form: the body is then a batch of records
        const text = b.lines.map((l, i) => (i === b.edit ? " " : "") + createRecord(l.time, l.level as LevelName, categories[b.category], l.msg, l.tail).json).join("\n") + (b.newline ? "\n" : "");
        const parsed = parseNdjson(text, b.producer, 1 << 20);
        expect(parsed.records.length).toBe(b.lines.length);
        const body = parsed.asSent === undefined ? undefined : { text, tail: parsed.asSent.tail };
        body === undefined ? kept.records++ : kept.bodies++;
        const lastFirst = ring.next;
        ring.push(parsed.records, body);
        all.push(...parsed.records);
        // bounds: the newest push is kept (within maxRecords), the rest only within both bounds
        expect(ring.next).toBe(all.length + 1);
        expect(ring.next - ring.first).toBeLessThanOrEqual(maxRecords);
        expect(ring.first).toBeLessThanOrEqual(Math.max(lastFirst, ring.next - maxRecords));
        if (ring.first < lastFirst) expect(ring.bytes).toBeLessThanOrEqual(maxBytes);
        // read back in a random-ish order: the same records
        for (let s = ring.next - 1; s >= ring.first; s -= 2) expect(ring.record(s)).toEqual(all[s - 1]);
        for (let s = ring.first; s < ring.next; s++) expect(ring.line(s)).toBe(all[s - 1].json);
        expect(ring.record(ring.first - 1)).toBeUndefined();
        expect(ring.record(ring.next)).toBeUndefined();
      }
    }), { seed: 20261207, numRuns: 300 });
    expect({ bodies: kept.bodies > 300, records: kept.records > 300 }).toEqual({ bodies: true, records: true }); // both kinds exercised
  });

  test("its byte bound holds in the heap: 300 records with 64 Ki-character messages grow it by less than 24 MiB under the 16 MiB default, in sluice's form or not", async () => {
    for (const own of [false, true]) {
      const dir = mkdtempSync(join(tmpdir(), "sluice-ring-bytes-"));
      const app = createIngestApp({ dir, noAuth: true, rateLimit: { recordsPerSec: 1e9, burst: 1e9 } });
      const body = (i: number) => {
        const msg = String(i).padEnd(1 << 16, "m");
        return (own ? createRecord(1_700_000_000_000 + i, "info", undefined, msg, "}").json : JSON.stringify({ msg })) + "\n";
      };
      const post = async (i: number) => (await app.fetch(new Request("http://collector/ingest", { method: "POST", body: body(i), headers: { "content-type": "application/x-ndjson" } }))).status;
      expect(await post(-1)).toBe(200);
      Bun.gc(true);
      const before = process.memoryUsage().heapUsed;
      for (let i = 0; i < 300; i++) expect(await post(i)).toBe(200);
      await app.writer.flush();
      Bun.gc(true);
      const grewMiB = (process.memoryUsage().heapUsed - before) / 2 ** 20;
      expect({ own, within: grewMiB < 24 }).toEqual({ own, within: true });
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
