// The query language: a table of queries and the records they match, the parse errors (position
// and what was expected), and seeded fuzz: any text parses or throws QueryError (nothing else,
// bounded time), and the raw-line prefilter never refuses a line whose record matches, even
// when the line is written in JSON's other legal forms (escapes, exponents).
import { expect, test } from "bun:test";
import { compileQuery } from "../lib/query/compile.ts";
import { MAX_QUERY_DEPTH, MAX_QUERY_LENGTH, parseQuery } from "../lib/query/parse.ts";
import { QueryError } from "../lib/query/query_error.ts";
import { rng } from "./helpers/seeded_random.ts";

const R = {
  a: { time: "2026-12-06T10:00:00.000Z", level: "info", category: "http", msg: "GET /api/users done", route: "/api/users", ms: 12, status: 200, producer: "edge-7" },
  b: { time: "2026-12-06T10:00:01.000Z", level: "warn", category: "http.db", msg: "Slow query", ms: 250.5, status: "503", producer: "edge-1", tags: ["x", "Timeout"] },
  c: { time: "2026-12-06T10:00:02.000Z", level: "error", category: "db", msg: "health check failed", err: { name: "Error", message: "connect TIMEOUT after 5s", code: null }, producer: "worker" },
  d: { time: "2026-12-06T10:00:03.000Z", level: "fatal", msg: 'quote " and back\\slash', ms: "300", ok: true, "a.b": 1, nested: { deep: { n: -4 } } },
  e: { time: "2026-12-06T10:00:04.000Z", level: 30, msg: "pino-style level", ms: 1e21 },
};
type Key = keyof typeof R;

const TABLE: [string, Key[]][] = [
  ["", ["a", "b", "c", "d", "e"]],
  ["*", ["a", "b", "c", "d", "e"]],
  ["slow", ["b"]],
  ["SLOW", ["b"]],
  ["timeout", ["b", "c"]], // an array item, a nested value
  ["timeout*", ["b", "c"]],
  ['"health check"', ["c"]],
  ['"check health"', []],
  ['"quote \\" and back\\\\slash"', ["d"]],
  ["200", ["a"]], // a number's text
  ["true", ["d"]],
  ["msg", []], // keys are not searched
  ["status:200", ["a"]],
  ["status:503", ["b"]], // a string value reads the same
  ['status:"200"', ["a"]],
  ["ms:12.0", ["a"]],
  ["ms:300", ["d"]],
  ["ms:>100", ["b", "e"]], // "300" is a string: no comparison
  ["ms:>=12", ["a", "b", "e"]],
  ["ms:<12", []],
  ["ms:<=12", ["a"]],
  ["nested.deep.n:<0", ["d"]],
  ["err.message:*", ["c"]],
  ["err.message:connect*", ["c"]],
  ['err.message:"connect timeout after 5s"', ["c"]],
  ["err.code:null", ["c"]],
  ["err:*", ["c"]],
  ["a.b:1", []], // a dot is a path step, not part of a key
  ["level:>=warn", ["b", "c", "d"]],
  ["level:>warn", ["c", "d"]],
  ["level:<=info", ["a", "e"]], // 30 is info on the pino scale
  ["level:WARN", ["b"]],
  ["level:>=WARN", ["b", "c", "d"]],
  ["category:http*", ["a", "b"]],
  ["category:http", ["a"]],
  ["producer:edge-*", ["a", "b"]],
  ["route:/api*", ["a"]],
  ["-producer:edge-*", ["c", "d", "e"]],
  ["-category:*", ["d", "e"]],
  ["--slow", ["b"]],
  ["slow OR fatal", ["b", "d"]],
  ["slow or", []], // lower-case "or" is a word
  ["level:>=warn -health", ["b", "d"]],
  ["level:>=warn AND -health", ["b", "d"]],
  ["level:info OR level:warn category:db", ["a"]], // AND binds tighter than OR
  ["(level:info OR level:warn) category:http*", ["a", "b"]],
  ["-(slow OR health)", ["a", "d", "e"]],
  ["tags:x", []], // arrays are not entered
  ["tags:*", ["b"]],
  ["constructor:*", []], // only own members
  ["__proto__:*", []],
];

test("the table of queries and the records they match", () => {
  for (const [text, want] of TABLE) {
    const q = compileQuery(text);
    const got = (Object.keys(R) as Key[]).filter((k) => q.matches(R[k]));
    expect({ text, got }).toEqual({ text, got: want });
    for (const k of got) expect({ text, k, may: q.mayMatchLine(JSON.stringify(R[k])) }).toEqual({ text, k, may: true });
  }
});

test("the prefilter refuses lines without any needle, so they need not be parsed", () => {
  const line = JSON.stringify(R.a);
  for (const text of ["slow", '"health check"', "err.message:timeout", "ms:>100 timeout", "tags:*", "slow OR fatal"]) {
    expect({ text, may: compileQuery(text).mayMatchLine(line) }).toEqual({ text, may: false });
  }
  for (const text of ["-slow", "level:>=warn", "*", "slow OR -x"]) expect(compileQuery(text).mayMatchLine(line)).toBe(true);
});

const ERRORS: [string, number, string][] = [
  ["(level:warn", 11, '")"'],
  ["(a OR (b c)", 11, '")"'],
  ["a)", 1, "a term or the end of the query"],
  ["()", 1, "a term"],
  ["a OR", 4, "a term"],
  ["OR a", 0, "a term"],
  ["a AND OR b", 6, "a term"],
  ["- a", 1, 'a term right after "-"'],
  ["a -", 3, 'a term right after "-"'],
  ["ms:>", 4, "a number"],
  ["ms:>=abc", 5, "a number"],
  ["ms:<1e", 4, "a number"],
  ["level:>=loud", 8, "a level name (trace, debug, info, warn, error, fatal)"],
  ["status:", 7, "a value"],
  [":x", 0, "a field name (dot-separated, no empty part)"],
  ["a..b:1", 0, "a field name (dot-separated, no empty part)"],
  ['x "unclosed', 11, `'"' (the end of the phrase)`],
  ['"ends in \\', 10, 'a character after "\\"'],
];

test("a query that does not parse throws QueryError with the position and what was expected", () => {
  for (const [text, position, expected] of ERRORS) {
    let err: unknown;
    try {
      parseQuery(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(QueryError);
    const e = err as QueryError;
    expect({ text, position: e.position, expected: e.expected, message: e.message })
      .toEqual({ text, position, expected, message: `at ${position}: expected ${expected}` });
  }
});

test("the bounds: length and nesting", () => {
  expect(() => parseQuery("a".repeat(MAX_QUERY_LENGTH))).not.toThrow();
  expect(() => parseQuery("a".repeat(MAX_QUERY_LENGTH + 1))).toThrow(QueryError);
  expect(() => parseQuery("(".repeat(MAX_QUERY_DEPTH) + "a" + ")".repeat(MAX_QUERY_DEPTH))).not.toThrow();
  expect(() => parseQuery("(".repeat(MAX_QUERY_DEPTH + 1) + "a" + ")".repeat(MAX_QUERY_DEPTH + 1))).toThrow(QueryError);
  expect(() => parseQuery("-".repeat(MAX_QUERY_DEPTH + 1) + "a")).toThrow("at 64: expected at most 64 nested groups");
  // a deep record is walked without recursion
  let deep: unknown = "needle";
  for (let i = 0; i < 100_000; i++) deep = [deep];
  expect(compileQuery("needle").matches({ msg: "x", deep })).toBe(true);
});


const PIECES = [" ", " ", "(", ")", '"', "\\", "-", ":", "*", ">", ">=", "<", "<=", "OR", "AND", "or", ".", "level", "ms", "msg", "err", "message",
  "warn", "error", "12", "1e3", "-4", "x", "Slow", "timeout", "/api", "\u0130", "\u212A", "é", "\u0000", "\n", "\ud800", "__proto__"];

test("seeded fuzz: any text parses or throws QueryError, in bounded time", () => {
  const rand = rng(19);
  const start = performance.now();
  let parsed = 0;
  for (let i = 0; i < 20_000; i++) {
    let text = "";
    const n = Math.floor(rand() * 24);
    for (let j = 0; j < n; j++) text += PIECES[Math.floor(rand() * PIECES.length)];
    try {
      const q = compileQuery(text);
      for (const r of Object.values(R)) q.matches(r);
      parsed++;
    } catch (err) {
      if (!(err instanceof QueryError)) throw new Error(`${JSON.stringify(text)} threw ${err}`);
      expect(err.position).toBeGreaterThanOrEqual(0);
      expect(err.position).toBeLessThanOrEqual(text.length);
    }
  }
  expect(parsed).toBeGreaterThan(2000);
  expect(performance.now() - start).toBeLessThan(20_000);
});

type Odd = "escape" | "slash" | "exponent" | "digits" | "fixed";
const ODD: Odd[] = ["escape", "slash", "exponent", "digits", "fixed"];

/**
 * JSON text in one of its other legal forms, one kind per line so that each escape hatch of the
 * prefilter is needed on its own: characters as \u escapes, "/" as "\/", numbers with exponents,
 * as their exact digits (1e21), or in fixed notation (1e-7 as 0.0000001).
 */
function oddJson(v: unknown, odd: Odd, rand: () => number): string {
  if (typeof v === "string") {
    let out = '"';
    for (let i = 0; i < v.length; i++) {
      const ch = v[i], r = rand();
      out += odd === "escape" && r < 0.3 ? "\\u" + ch.charCodeAt(0).toString(16).padStart(4, "0").toUpperCase()
        : odd === "slash" && ch === "/" ? "\\/" : JSON.stringify(ch).slice(1, -1);
    }
    return out + '"';
  }
  if (typeof v === "number" && v !== 0) {
    if (odd === "exponent") return v.toExponential();
    if (odd === "digits" && Number.isInteger(v)) return BigInt(v).toString();
    if (odd === "fixed" && Math.abs(v) < 1e-6) return v.toFixed(20).replace(/0+$/, "");
  }
  if (Array.isArray(v)) return "[" + v.map((x) => oddJson(x, odd, rand)).join(",") + "]";
  if (typeof v === "object" && v !== null) return "{" + Object.entries(v).map(([k, x]) => oddJson(k, odd, rand) + ":" + oddJson(x, odd, rand)).join(",") + "}";
  return JSON.stringify(v);
}

test("seeded fuzz: the prefilter never refuses a line whose record matches", () => {
  const rand = rng(20);
  const pick = <T>(a: readonly T[]) => a[Math.floor(rand() * a.length)];
  const words = ["Slow", "timeout", "680000", "e-7", "e+21", "/api/users", "12", "1e-7", "0.0000001", "1e21", "Kelvin", "k", "İstanbul", "i", "a/b", 'q"', "x\\y", "200", "-4", "true", "null"];
  const values = [...words, 12, 250.5, 1e-7, 1e21, 123456789012345680000, -4, 0.5, true, null, "\u212Aelvin", "\u0130stanbul"];
  let matched = 0;
  for (let i = 0; i < 3000; i++) {
    const rec: Record<string, unknown> = { time: "2026-12-06T10:00:00.000Z", level: pick(["info", "warn", "error"]), msg: String(pick(values)) };
    for (let k = 0; k < 3; k++) rec[pick(["ms", "route", "err", "a/b"])] = rand() < 0.3 ? { message: pick(values) } : pick(values);
    const parts: string[] = [];
    for (let k = 1 + Math.floor(rand() * 3); k > 0; k--) {
      const w = String(pick(words));
      const field = pick(["ms", "route", "err.message", "a/b", "msg"]);
      parts.push(pick([
        JSON.stringify(w), `${field}:${JSON.stringify(w)}`, `${field}:*`, `${field}:>${pick(["0", "1e-8", "100"])}`,
        /^[\w./-]+$/.test(w) ? w : JSON.stringify(w), /^[\w./-]+$/.test(w) ? `${field}:${w}` : "x", /^[\w./-]+$/.test(w) ? `${field}:${w.slice(0, 2)}*` : "y",
      ]));
      if (rand() < 0.2) parts.push("OR");
    }
    const text = parts.join(" ").replace(/^OR |( OR)+$/g, "").replace(/OR OR/g, "OR");
    const q = compileQuery(text);
    if (!q.matches(rec)) continue;
    matched++;
    for (const line of [JSON.stringify(rec), ...ODD.map((odd) => oddJson(rec, odd, rand))]) {
      expect(JSON.parse(line)).toEqual(JSON.parse(JSON.stringify(rec)));
      if (!q.mayMatchLine(line)) throw new Error(`prefilter refused ${line} for ${text}`);
    }
  }
  expect(matched).toBeGreaterThan(300);
});

test("seeded fuzz: a line's verdict before parsing agrees with the parsed record whenever it is given", () => {
  const rand = rng(21);
  const pick = <T>(a: readonly T[]) => a[Math.floor(rand() * a.length)];
  const levels = ["trace", "debug", "info", "warn", "error", "fatal"] as const;
  const values = [0, 12, 250, 250.5, -4, 1e21, "250", "ms", "timeout", null, true, { ms: 900 }, [1, 2]];
  let decided = 0;
  for (let i = 0; i < 4000; i++) {
    const level = pick(levels);
    const rec: Record<string, unknown> = { time: "2026-12-06T10:00:00.000Z", level, msg: pick(["ok", "slow timeout", "health check", "ms"]) };
    for (let k = 0; k < 3; k++) rec[pick(["ms", "err", "n", "a/b"])] = rand() < 0.3 ? { ms: pick(values), message: pick(values) } : pick(values);
    const text = [1, 2, 3].slice(0, 1 + Math.floor(rand() * 3)).map(() => pick([
      `ms:${pick([">", ">=", "<", "<="])}${pick(["0", "100", "250", "-5", "1e20"])}`,
      `level:${pick([">", ">=", "<", "<="])}${pick(levels)}`, "ms:*", "err:*", "err.ms:>1", "timeout", '"health check"', "a/b:*", "n:12",
    ])).map((t) => (rand() < 0.3 ? "-" + t : t)).join(rand() < 0.3 ? " OR " : " ");
    const q = compileQuery(text);
    const lines = [JSON.stringify(rec), oddJson(rec, pick(ODD), rand)];
    // the same key twice: JSON.parse takes the last
    if ("ms" in rec) lines.push(JSON.stringify(rec).replace(/}$/, ',"ms":' + JSON.stringify(pick(values)) + "}"));
    for (const line of lines) {
      const parsed = JSON.parse(line);
      const v = q.lineVerdict(line, parsed.level === level ? level : undefined);
      if (v === undefined) continue;
      decided++;
      if (v !== q.matches(parsed)) throw new Error(`verdict ${v} for ${line} and ${text}`);
    }
  }
  expect(decided).toBeGreaterThan(3000);
});
