// buildRecord keeps the last line's head (time, level and category, message) and builds it
// again only when one of them changes: a seeded run of calls whose times, prefixes and messages
// repeat and alternate must give, call by call, the line built from nothing.
import { expect, test } from "bun:test";
import fc from "fast-check";
import { buildRecord, recordPrefix } from "../lib/record.ts";
import { LEVEL_NAMES } from "../lib/levels.ts";

test("buildRecord's line is the one built from nothing, whatever repeats or alternates between calls (seeded)", () => {
  const call = fc.record({
    time: fc.constantFrom(0, 1, 1_700_000_000_000, 1_700_000_000_001, -1),
    level: fc.constantFrom(...LEVEL_NAMES),
    category: fc.constantFrom(undefined, "http", "db", ""),
    msg: fc.constantFrom("", "a", "b", 'q"\\', "é😀"),
    tail: fc.constantFrom("}", ',"n":1}'),
  });
  fc.assert(fc.property(fc.array(call, { minLength: 1, maxLength: 40 }), (calls) => {
    for (const c of calls) {
      const prefix = recordPrefix(c.level, c.category);
      const r = buildRecord(c.time, c.level, c.category, prefix, c.msg, c.tail);
      const head = '{"time":"' + new Date(c.time).toISOString() + prefix + JSON.stringify(c.msg);
      expect(r.json).toBe(head + c.tail);
      expect(r.fieldsAt).toBe(head.length);
      expect([r.time, r.level, r.category, r.msg]).toEqual([c.time, c.level, c.category, c.msg]);
    }
  }), { seed: 20261207, numRuns: 300 });
});
