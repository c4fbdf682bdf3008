// routeLines: a batch's lines grouped by file, what categoryFileSink buffers and the collector
// appends. A seeded fuzz against formatting each record alone: every file gets exactly its
// records' lines, in their order, with 2-4 byte characters, lone surrogates and categories that
// share a file name.
import { describe, expect, test } from "bun:test";
import { routeLines } from "../lib/files/route_lines.ts";
import { categoryFileName } from "../lib/files/category_name.ts";
import { formatNdjson } from "../lib/format/ndjson.ts";
import { createRecord, type LevelName, type LogRecord } from "../mod.ts";
import { rng } from "./helpers/seeded_random.ts";

const LEVELS: LevelName[] = ["trace", "debug", "info", "warn", "error", "fatal"];
// undefined and "default" share default.ndjson; "a/b" is escaped to a%2Fb, apart from "a_b"
const CATEGORIES = [undefined, "http", "db", "billing.eu", "a/b", "a_b", "default", "ünïcode", "c1", "c2", "c3"];
const PIECES = ["x", "request handled", "é", "日本", "😀", "\ud800", "\"quoted\"", "\\", "\n", "tab\t"];

/** The lines each file should get, formatting each record on its own. */
function expected(records: LogRecord[]): Map<string, { text: string; records: number; urgent: boolean }> {
  const files = new Map<string, { text: string; records: number; urgent: boolean }>();
  for (const r of records) {
    const key = categoryFileName(r.category);
    const f = files.get(key) ?? { text: "", records: 0, urgent: false };
    f.text += formatNdjson(r) + "\n";
    f.records++;
    f.urgent ||= r.level === "error" || r.level === "fatal";
    files.set(key, f);
  }
  return files;
}

describe("routeLines", () => {
  test("seeded fuzz: each file's text is its records' lines in order, as formatting each alone gives", () => {
    const random = rng(20261207);
    const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)];
    for (let round = 0; round < 400; round++) {
      const cats = CATEGORIES.slice(0, 1 + Math.floor(random() * CATEGORIES.length));
      const records = Array.from({ length: Math.floor(random() * 300) }, (_, i) => {
        let msg = "";
        for (let k = Math.floor(random() * 6); k > 0; k--) msg += pick(PIECES);
        return createRecord(1_700_000_000_000 + i, pick(LEVELS), pick(cats), msg, `,"i":${i}}`);
      });
      const want = expected(records);
      const routed = routeLines(records, formatNdjson, categoryFileName);
      expect(routed.map(([key]) => key)).toEqual([...want.keys()]); // in the order their first records came
      for (const [key, text, count, urgent] of routed) {
        const w = want.get(key)!;
        expect(text).toBe(w.text);
        expect(count).toBe(w.records);
        expect(urgent).toBe(w.urgent);
      }
    }
  });

  test("no records, no files", () => {
    expect(routeLines([], formatNdjson, categoryFileName)).toEqual([]);
  });
});
