// routes.json: a checked schema with one-line errors naming the field, keys by field, and a
// seeded fuzz: any JSON value is either a valid table or refused with a TypeError, never a crash.
import { expect, test } from "bun:test";
import fc from "fast-check";
import { createRecord } from "../api.ts";
import { keyByField, parseRouteFile } from "../lib/sinks/route/route_config.ts";

test("a full routes file is read as written", () => {
  const text = JSON.stringify({
    key: "producer",
    breaker: { failures: 5, openMs: 5000, timeoutMs: 2000 },
    targets: [
      { name: "a1", url: "http://10.0.0.1/ingest", weight: 3, level: "info", category: "checkout", token: "t", gzip: true, timeoutMs: 1000, retries: 2, spool: "/var/spool/a1" },
      { name: "archive", url: "https://archive.example.com/ingest", copy: true, spool: false },
    ],
  });
  expect(parseRouteFile(text, "routes.json")).toEqual(JSON.parse(text));
});

test("each mistake is refused with one line naming the file and the field", () => {
  const bad: [unknown, string][] = [
    [[], "routes.json must be an object"],
    [{}, "targets must be a non-empty array"],
    [{ targets: [{ name: "a", url: "http://x/i" }], extra: 1 }, "routes.json.extra is not a known field"],
    [{ targets: [{ name: "a", url: "http://x/i", level: "loud" }] }, "targets[0].level must be trace|debug|info|warn|error|fatal"],
    [{ targets: [{ name: "a", url: "http://x/i" }, { name: "a", url: "http://y/i" }] }, 'targets[1].name "a" is used twice'],
    [{ targets: [{ name: "a b", url: "http://x/i" }] }, "targets[0].name must be letters"],
    [{ targets: [{ name: "a", url: "http://x/i", copy: true }] }, "at least one target that is not a copy"],
    [{ breaker: { failures: 0 }, targets: [{ name: "a", url: "http://x/i" }] }, "breaker.failures must be >= 1"],
    [{ targets: [{ name: "a", url: "http://x/i", retries: -1 }] }, "targets[0].retries must be a number >= 0"],
  ];
  for (const [json, message] of bad) {
    const run = () => parseRouteFile(JSON.stringify(json), "routes.json");
    expect(run).toThrow(TypeError);
    expect(run).toThrow(message);
  }
});

test("fuzz: any JSON text is a valid table or a one-line TypeError naming the file (seeded)", () => {
  const target = fc.record({ name: fc.oneof(fc.constantFrom("a1", "a2"), fc.string()), url: fc.oneof(fc.constant("http://127.0.0.1:1/ingest"), fc.string()), weight: fc.oneof(fc.double(), fc.integer()) }, { requiredKeys: [] });
  const file = fc.oneof(fc.jsonValue(), fc.record({ targets: fc.array(fc.oneof(target, fc.jsonValue()), { maxLength: 4 }), key: fc.jsonValue(), breaker: fc.jsonValue() }, { requiredKeys: ["targets"] }));
  fc.assert(fc.property(file, (json) => {
    try {
      const routes = parseRouteFile(JSON.stringify(json), "r.json");
      expect(routes.targets.length).toBeGreaterThan(0);
      for (const t of routes.targets) expect(t.weight === undefined || t.weight > 0).toBe(true);
    } catch (err) {
      expect(err).toBeInstanceOf(TypeError);
      expect((err as Error).message).toStartWith("r.json");
      expect((err as Error).message).not.toContain("\n");
    }
  }), { seed: 12, numRuns: 2000 });
});

test("keyByField: category, level and msg from the record, any other field from its JSON", () => {
  const r = createRecord(0, "warn", "billing", "paid", ',"producer":"web-1","shard":7}');
  expect([keyByField("category")(r), keyByField("level")(r), keyByField("msg")(r)]).toEqual(["billing", "warn", "paid"]);
  expect([keyByField("producer")(r), keyByField("shard")(r), keyByField("absent")(r)]).toEqual(["web-1", "7", undefined]);
});
