// recordField: a record's top-level field read from its JSON text (sample's `by`, routeSink's
// key), checked against JSON.parse by a seeded fuzz of records built to mislead it.
import { expect, test } from "bun:test";
import { createRecord } from "../mod.ts";
import { recordField } from "../lib/record_field.ts";

const reference = (json: string, name: string) => {
  const v = (JSON.parse(json) as Record<string, unknown>)[name];
  return v === undefined || v === null ? undefined : typeof v === "string" ? v : JSON.stringify(v);
};

test("cases: nested and quoted look-alikes, duplicates (the last wins), escapes, other values", () => {
  const cases: [string, string | undefined][] = [
    [',"trace_id":"4bf9"}', "4bf9"],
    [',"a":{"trace_id":"nested"}}', undefined],
    [',"a":{"trace_id":"nested"},"trace_id":"top"}', "top"],
    [',"a":"\\",\\"trace_id\\":\\"in a string"}', undefined],
    [',"trace_id":"one","trace_id":"two"}', "two"],
    [',"trace_id":"tab\\there \\u00e9"}', "tab\there é"],
    [',"trace_id":42}', "42"],
    [',"trace_id":1e3}', "1000"],
    [',"trace_id":null}', undefined],
    [',"trace_id":true}', "true"],
    [',"trace_id":[1,{"x":"y"}]}', '[1,{"x":"y"}]'],
    [',"trace_id":{"a":[1]}}', '{"a":[1]}'],
    [',"x":[{"trace_id":1}],"y":"]}","trace_id":"after"}', "after"],
    ["}", undefined],
  ];
  for (const [tail, want] of cases) expect({ tail, got: recordField(createRecord(0, "info", "c", 'msg "trace_id":"no"', tail), "trace_id") }).toEqual({ tail, got: want });
});

test("a seeded fuzz of 20,000 records: the same answer as JSON.parse", () => {
  let seed = 0x5eed;
  const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
  const names = ["trace_id", "k", "trace", "id"];
  const strings = ["", "a", 'q"u', "b\\s", '"trace_id":"x"', ",\"k\":1", "}", "]", "{", "é\u2028", "\n"];
  const value = (depth: number): unknown => {
    switch (rnd(depth > 2 ? 4 : 6)) {
      case 0: return strings[rnd(strings.length)];
      case 1: return rnd(1000) - 500 + (rnd(2) ? 0.5 : 0);
      case 2: return [null, true, false][rnd(3)];
      case 3: return strings[rnd(strings.length)] + rnd(10);
      case 4: return Array.from({ length: rnd(3) }, () => value(depth + 1));
      default: return Object.fromEntries(Array.from({ length: rnd(3) }, () => [names[rnd(names.length)], value(depth + 1)]));
    }
  };
  for (let i = 0; i < 20_000; i++) {
    const members = Array.from({ length: rnd(5) }, () => `${JSON.stringify(names[rnd(names.length)])}:${JSON.stringify(value(0))}`);
    const tail = members.length === 0 ? "}" : "," + members.join(",") + "}";
    const r = createRecord(0, "info", undefined, "m", tail);
    for (const name of names) {
      const want = reference(r.json, name);
      if (recordField(r, name) !== want) expect({ json: r.json, name, got: recordField(r, name) }).toEqual({ json: r.json, name, got: want });
    }
  }
});
