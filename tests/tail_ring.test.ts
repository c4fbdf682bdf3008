// The tail ring (collector/tail/record_ring.ts) keeps a body taken whole as its text and makes its
// records again when read: every record read back is the one ingest made, whatever mix of bodies
// and record batches was pushed under whatever bounds (seeded fuzz), and its byte bound holds in
// the heap for records of either kind.
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
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
    const batch = fc.record({ lines: fc.array(line, { minLength: 1, maxLength: 12 }), category: fc.nat({ max: 2 }), newline: fc.boolean(), producer: fc.constantFrom("edge-1", 'p"\\ü'), edit: fc.oneof(fc.constant(-1), fc.nat({ max: 11 })), unmade: fc.boolean() });
    const kept = { bodies: 0, records: 0, cut: 0 };
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
        const before = { bytes: ring.bytes, first: ring.first };
        // a body's records may come unmade (the collector's ingest writing files): the ring makes them
        if (body !== undefined && b.unmade) ring.push([], { ...body, count: parsed.records.length });
        else ring.push(parsed.records, body);
        all.push(...parsed.records);
        // bounds: both, except that the newest record is kept whatever its size
        expect(ring.next).toBe(all.length + 1);
        expect(ring.next - ring.first).toBeLessThanOrEqual(maxRecords);
        expect(ring.next - ring.first).toBeGreaterThanOrEqual(1);
        if (ring.next - ring.first > 1) expect(ring.bytes).toBeLessThanOrEqual(maxBytes);
        // and the newest push is kept whole when it fits alone, the older records within maxRecords as long as the bytes allow
        const sizeOf = (rs: LogRecord[]) => rs.reduce((n, r) => n + r.json.length + r.msg.length + (r.category?.length ?? 0), 0);
        const size = body?.text.length ?? sizeOf(parsed.records);
        if (parsed.records.length <= maxRecords && size <= maxBytes) {
          expect(ring.first).toBeLessThanOrEqual(lastFirst);
          if (ring.first === lastFirst) expect(ring.bytes).toBe(size); // only the newest push is left
        } else {
          // larger than the ring alone: its newest records that fit, one more would not
          const keptRecords = all.slice(ring.first - 1);
          expect(ring.bytes).toBe(sizeOf(keptRecords));
          if (ring.first > lastFirst) expect(keptRecords.length === maxRecords || sizeOf(all.slice(ring.first - 2)) > maxBytes).toBe(true);
          if (ring.first > lastFirst) kept.cut++;
        }
        if (before.bytes + size <= maxBytes && parsed.records.length <= maxRecords) expect(ring.first).toBe(Math.max(before.first, ring.next - maxRecords));
        // read back in a random-ish order: the same records
        for (let s = ring.next - 1; s >= ring.first; s -= 2) expect(ring.record(s)).toEqual(all[s - 1]);
        for (let s = ring.first; s < ring.next; s++) expect(ring.line(s)).toBe(all[s - 1].json);
        expect(ring.record(ring.first - 1)).toBeUndefined();
        expect(ring.record(ring.next)).toBeUndefined();
      }
    }), { seed: 20261207, numRuns: 300 });
    // both kinds exercised, and batches larger than the ring alone
    expect({ bodies: kept.bodies > 300, records: kept.records > 300, cut: kept.cut > 100 }).toEqual({ bodies: true, records: true, cut: true });
  });

  test("thousands of batches come and go with a read after each push (the list of batches is compacted while records made of a body are kept)", () => {
    const ring = new RecordRing(3, 1 << 20);
    for (let i = 0; i < 5000; i++) {
      const text = createRecord(i, "info", undefined, `m${i}`, "}").json + "\n";
      const parsed = parseNdjson(text, "p", 1 << 20);
      ring.push(parsed.records, { text, tail: parsed.asSent!.tail });
      expect(ring.record(ring.first)!.msg).toBe(`m${Math.max(0, i - 2)}`);
      expect(ring.record(ring.next - 1)!.msg).toBe(`m${i}`);
    }
    expect([ring.first, ring.next]).toEqual([4998, 5001]);
  });

  test("a body of lines longer than the readers' made records may hold (1 MiB) is read back right, in any order", () => {
    const lines = [0, 1, 2].map((i) => createRecord(i, "info", undefined, `m${i}`.padEnd(600_000, "x"), "}").json);
    const text = lines.join("\n");
    const parsed = parseNdjson(text, "p", 1 << 20);
    const ring = new RecordRing(10, 1 << 22);
    ring.push(parsed.records, { text, tail: parsed.asSent!.tail });
    for (const s of [1, 2, 3, 1, 3, 2, 2, 1]) expect(ring.record(s)).toEqual(parsed.records[s - 1]);
  });

  test("its byte bound holds in the heap: 300 records with 64 Ki-character messages grow it by less than 24 MiB under the 16 MiB default, one a body or all in one, in sluice's form or not", () => {
    const helper = new URL("./helpers/tail_ring_bytes.ts", import.meta.url).pathname;
    for (const [own, bodies] of [[0, 300], [1, 300], [0, 1], [1, 1]]) {
      const run = Bun.spawnSync([process.execPath, helper], { env: { ...process.env, OWN: String(own), BODIES: String(bodies) } });
      expect({ own, bodies, exit: run.exitCode, stderr: run.stderr.toString().slice(-300) }).toEqual({ own, bodies, exit: 0, stderr: "" });
      const { grewMiB } = JSON.parse(run.stdout.toString().trim().split("\n").at(-1)!);
      // without the bound on a batch larger than the ring, one body held 37.5 MiB; counting lines only, 32.5
      expect({ own, bodies, within: grewMiB > 8 && grewMiB < 24 }).toEqual({ own, bodies, within: true });
    }
  }, 60_000);
});
