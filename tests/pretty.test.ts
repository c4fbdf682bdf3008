// Readable output: the pretty format, consoleSink's "auto" (pretty on a terminal or with
// FORCE_COLOR, NDJSON to stdout when piped, NO_COLOR), and `sluice pretty` on real processes
// (Bun, Deno, Node on dist/, and a `bun build --compile` binary), reading sluice, pino and
// OpenTelemetry lines from a pipe.
import { afterAll, describe, expect, spyOn, test } from "bun:test";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { consoleSink, createLogger, createRecord, type Runtime } from "../mod.ts";
import { prettyFormatter } from "../lib/format/pretty.ts";
import { textFormatter } from "../lib/format/text.ts";
import { terminalChoice } from "../lib/sinks/console_terminal.ts";
import { foreignRecord } from "../tools/pretty/foreign_record.ts";

const root = new URL("../", import.meta.url).pathname;
const bin = (name: string) => join(root, "node_modules/.bin", name);
const ESC = /\x1b\[/;
const plain = (s: string) => s.replace(/\x1b\[\d+m/g, "");
const rec = (level: "info" | "warn" | "error", category: string | undefined, msg: string, fields = "") => createRecord(Date.UTC(2026, 11, 6, 17, 14, 28, 123), level, category, msg, fields + "}");
const work = mkdtempSync(join(tmpdir(), "sluice-pretty-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("the pretty format", () => {
  test("seeded fuzz: what a record's sender wrote never reaches the terminal as a control character (escape sequences, \\r, C1, bidi overrides), in the pretty and the text format; it is shown escaped", () => {
    let seed = 0xc0de;
    const rand = (n: number) => ((seed = (Math.imul(seed ^ (seed >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) % n);
    const hostile = [0x1b, 0x07, 0x0d, 0x08, 0x00, 0x7f, 0x85, 0x9b, 0x9d, 0x061c, 0x200f, 0x2028, 0x202e, 0x2067, 0xfeff];
    const text = () => Array.from({ length: 1 + rand(12) }, () => rand(3) === 0 ? String.fromCharCode(hostile[rand(hostile.length)]) : rand(4) === 0 ? "]52;c;aGk=" : "ab c"[rand(4)]).join("");
    const controls = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/;
    const pretty = prettyFormatter({ time: "iso" });
    const textual = textFormatter();
    for (let i = 0; i < 500; i++) {
      const err = { name: "E", message: text(), stack: `E: x\n    at ${text()}` };
      const fields = "," + JSON.stringify({ [text()]: text(), n: rand(9), err, s: text() }).slice(1, -1);
      const r = rec("error", rand(2) ? text() : undefined, text(), fields);
      for (const out of [pretty(r), textual(r)]) {
        expect({ out, bad: controls.test(out) }).toEqual({ out, bad: false });
      }
    }
    // shown, escaped: an OSC 52 (clipboard) sequence and a carriage return
    expect(prettyFormatter({ time: "iso" })(rec("info", "c\x1b[2J", "ok\x1b]52;c;aGk=\x07\rfake"))).toBe("2026-12-06T17:14:28.123Z INFO  c\\u001b[2J ok\\u001b]52;c;aGk=\\u0007\\u000dfake");
    expect(textual(rec("info", undefined, "a\u202eb"))).toBe("2026-12-06T17:14:28.123Z INFO  a\\u202eb");
  });

  test("time, level, category, message, then fields as key=value: bare when they can be, JSON otherwise", () => {
    const fmt = prettyFormatter({ time: "iso" });
    expect(fmt(rec("info", "http", "request handled", ',"route":"/api/items","ms":12,"ok":true,"q":"a b","e":"","n":null,"tags":["x"],"o":{"k":1}')))
      .toBe('2026-12-06T17:14:28.123Z INFO  http request handled route=/api/items ms=12 ok=true q="a b" e="" n=null tags=["x"] o={"k":1}');
    expect(prettyFormatter({ time: "iso" })(rec("warn", undefined, "no fields"))).toBe("2026-12-06T17:14:28.123Z WARN  no fields"); // no category seen yet: no column
  });

  test("the category column is as wide as the widest seen (at most 20), so messages line up", () => {
    const fmt = prettyFormatter({ time: "iso", ignore: ["time"] });
    expect(fmt(rec("info", "db", "a"))).toBe("INFO  db a");
    expect(fmt(rec("info", "http.server", "b"))).toBe("INFO  http.server b");
    expect(fmt(rec("info", "db", "c"))).toBe("INFO  db          c");
    expect(fmt(rec("info", undefined, "d"))).toBe("INFO              d");
    expect(fmt(rec("info", "x".repeat(30), "e"))).toBe(`INFO  ${"x".repeat(30)} e`);
    expect(fmt(rec("info", "db", "f"))).toBe(`INFO  db${" ".repeat(18)} f`);
  });

  test("an error shows Name: message on the line, its stack and causes below; single-line keeps one line", () => {
    const err = new TypeError("x is undefined", { cause: new Error("root") });
    const log = createLogger({ sinks: [] });
    void log;
    const json = JSON.stringify({ err: { name: err.name, message: err.message, stack: err.stack, cause: { name: "Error", message: "root", stack: (err.cause as Error).stack } } });
    const r = rec("error", "api", "failed\nbadly", "," + json.slice(1, -1));
    const lines = prettyFormatter({ time: "iso" })(r).split("\n");
    expect(lines[0]).toBe("2026-12-06T17:14:28.123Z ERROR api failed");
    expect(lines[1]).toBe("badly err=TypeError: x is undefined");
    expect(lines.slice(2).every((l) => l.startsWith("    "))).toBe(true);
    expect(lines.some((l) => l.includes("at ") && l.includes("pretty.test.ts"))).toBe(true);
    expect(lines).toContain("    caused by: Error: root");
    const one = prettyFormatter({ time: "iso", singleLine: true })(r);
    expect(one).toBe("2026-12-06T17:14:28.123Z ERROR api failed\\nbadly err=TypeError: x is undefined");
  });

  test("ignore leaves out fields and the time or category column; elapsed and local time", () => {
    expect(prettyFormatter({ ignore: ["time", "category", "secret"] })(rec("info", "db", "m", ',"secret":1,"k":2'))).toBe("INFO  m k=2");
    const elapsed = prettyFormatter({ time: "elapsed" });
    expect(elapsed(createRecord(10_000, "info", undefined, "a", "}"))).toBe("  +0.000s INFO  a");
    expect(elapsed(createRecord(11_250, "info", undefined, "b", "}"))).toBe("  +1.250s INFO  b");
    const t = new Date(2026, 0, 2, 3, 4, 5, 6).getTime(); // local time
    expect(prettyFormatter()(createRecord(t, "info", undefined, "c", "}"))).toBe("03:04:05.006 INFO  c");
    expect(() => prettyFormatter({ time: "utc" as "iso" })).toThrow(/time must be "iso", "local" or "elapsed"/);
  });

  test("colour: the level in its colour, the rest dimmed; no escape at all without colour", () => {
    const r = rec("error", "db", "down", ',"k":"v"');
    const coloured = prettyFormatter({ color: true })(r);
    expect(coloured).toContain("\x1b[31mERROR\x1b[0m");
    expect(plain(coloured)).toBe(prettyFormatter()(r));
    expect(prettyFormatter()(r)).not.toMatch(ESC);
  });
});

describe("lines of other loggers", () => {
  test("pino: numeric levels, time in milliseconds, name as the category; other members stay fields", () => {
    const levels = [10, 20, 30, 40, 50, 60].map((n) => foreignRecord(JSON.stringify({ level: n, time: 1_700_000_000_000, msg: "m" }))!.level);
    expect(levels).toEqual(["trace", "debug", "info", "warn", "error", "fatal"]);
    const r = foreignRecord('{"level":30,"time":1700000000123,"pid":7,"hostname":"web","name":"api","msg":"listening","port":3000}')!;
    expect([r.time, r.level, r.category, r.msg, r.json.slice(r.fieldsAt)]).toEqual([1_700_000_000_123, "info", "api", "listening", ',"pid":7,"hostname":"web","port":3000}']);
  });

  test("OpenTelemetry JSON: severity, nanosecond time, body, attributes (OTLP list or object), trace ids, scope", () => {
    const r = foreignRecord(JSON.stringify({
      timeUnixNano: "1700000000123456789", severityNumber: 13, body: { stringValue: "slow query" },
      attributes: [{ key: "db.system", value: { stringValue: "postgresql" } }, { key: "ms", value: { intValue: "950" } }, { key: "tags", value: { arrayValue: { values: [{ boolValue: true }] } } }],
      traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7", scope: { name: "db" },
    }))!;
    expect([r.time, r.level, r.category, r.msg]).toEqual([1_700_000_000_123, "warn", "db", "slow query"]);
    expect(JSON.parse("{" + r.json.slice(r.fieldsAt + 1))).toEqual({ "db.system": "postgresql", ms: 950, tags: [true], trace_id: "4bf92f3577b34da6a3ce929d0e0e4736", span_id: "00f067aa0ba902b7" });
    expect(foreignRecord('{"severityText":"ERROR2","body":"b","attributes":{"k":1}}')).toMatchObject({ level: "error", msg: "b" });
    expect([1, 5, 9, 13, 17, 21, 24].map((n) => foreignRecord(JSON.stringify({ severityNumber: n }))!.level)).toEqual(["trace", "debug", "info", "warn", "error", "fatal", "fatal"]);
  });

  test("level words of other loggers; a line that is not a JSON object is not a record", () => {
    expect(["WARNING", "Critical", "notice", "verbose", "err"].map((l) => foreignRecord(JSON.stringify({ level: l, message: "m" }))!.level)).toEqual(["warn", "fatal", "info", "debug", "error"]);
    for (const line of ["plain text", "[1,2]", "42", '{"unterminated":', '"a string"', ""]) expect(foreignRecord(line)).toBeUndefined();
  });
});

/** A runtime as the console sink sees it: a terminal or not, and an environment. */
const fakeRuntime = (tty: boolean, env: Record<string, string>): Runtime => ({
  name: "node", unrefTimer: () => {}, onExit: () => () => {}, onBeforeExit: () => () => {}, onReopenSignal: () => () => {},
  isTerminal: () => tty, env: (name) => env[name],
});

describe("consoleSink's auto format", () => {
  test("NO_COLOR and FORCE_COLOR: who reads, and in colour", () => {
    const cases: [boolean, Record<string, string>, { pretty: boolean; color: boolean }][] = [
      [true, {}, { pretty: true, color: true }],
      [true, { NO_COLOR: "1" }, { pretty: true, color: false }],
      [true, { NO_COLOR: "" }, { pretty: true, color: true }], // set but empty: no effect (no-color.org)
      [true, { FORCE_COLOR: "0" }, { pretty: true, color: false }],
      [false, {}, { pretty: false, color: false }],
      [false, { NO_COLOR: "1" }, { pretty: false, color: false }],
      [false, { FORCE_COLOR: "1" }, { pretty: true, color: true }],
      [false, { FORCE_COLOR: "" }, { pretty: true, color: true }],
      [false, { FORCE_COLOR: "false" }, { pretty: false, color: false }],
      [false, { FORCE_COLOR: "3", NO_COLOR: "1" }, { pretty: true, color: true }], // FORCE_COLOR wins
    ];
    for (const [tty, env, want] of cases) expect({ tty, env, got: terminalChoice(fakeRuntime(tty, env)) }).toEqual({ tty, env, got: want });
  });

  test("on a terminal: pretty lines with each level's console method; piped: NDJSON, every level with console.log", async () => {
    const calls: [string, string][] = [];
    const spies = (["log", "debug", "info", "warn", "error"] as const).map((m) => spyOn(console, m).mockImplementation((line: string) => void calls.push([m, line])));
    try {
      for (const [tty, env] of [[true, { NO_COLOR: "1" }], [false, {}]] as const) {
        const log = createLogger({ sinks: [consoleSink({ runtime: fakeRuntime(tty, env) })] });
        log.info("up", { port: 8080 });
        log.error("down", { err: new Error("gone") });
        await log.close();
      }
    } finally {
      for (const s of spies) s.mockRestore();
    }
    expect(calls.map(([m]) => m)).toEqual(["info", "error", "log", "log"]);
    expect(calls[0][1]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO  up port=8080$/);
    expect(calls[1][1].split("\n")[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} ERROR down err=Error: gone$/);
    expect(calls[1][1].split("\n")[1]).toMatch(/^ {4}at /);
    expect(calls.slice(0, 2).some(([, l]) => ESC.test(l))).toBe(false); // NO_COLOR
    expect(JSON.parse(calls[2][1])).toMatchObject({ level: "info", msg: "up", port: 8080 });
    expect(JSON.parse(calls[3][1])).toMatchObject({ level: "error", msg: "down", err: { message: "gone" } });
  });

  const script = (entry: string) => `
    import { createLogger } from ${JSON.stringify(entry)};
    const log = createLogger();
    log.info("up", { port: 8080 });
    log.error("down", { code: "E1" });
    await log.close();
  `;
  const runtimes = {
    bun: (f: string) => [bin("bun"), f],
    deno: (f: string) => [bin("deno"), "run", "-A", f],
    node: (f: string) => [process.execPath, f],
  } as const;
  for (const [name, cmd] of Object.entries(runtimes)) {
    test(`a real ${name} process: NDJSON on stdout when piped (the error too); FORCE_COLOR gives coloured pretty lines`, () => {
      const file = join(work, `console-${name}.${name === "node" ? "mjs" : "ts"}`);
      writeFileSync(file, script(name === "node" ? join(root, "dist/mod.js") : join(root, "mod.ts")));
      const [c, ...args] = cmd(file);
      const env = { ...process.env } as Record<string, string>;
      delete env.FORCE_COLOR;
      delete env.NO_COLOR;
      const piped = spawnSync(c, args, { encoding: "utf8", env, timeout: 30_000 });
      expect(piped.status).toBe(0);
      expect(piped.stderr).toBe("");
      const lines = piped.stdout.trim().split("\n").map((l) => JSON.parse(l));
      expect(lines.map((l) => [l.level, l.msg])).toEqual([["info", "up"], ["error", "down"]]);
      const forced = spawnSync(c, args, { encoding: "utf8", env: { ...env, FORCE_COLOR: "1" }, timeout: 30_000 });
      expect(forced.status).toBe(0);
      expect(forced.stdout).toMatch(/\x1b\[32mINFO \x1b\[0m up \x1b\[2mport=\x1b\[0m8080/);
      expect(plain(forced.stderr)).toMatch(/^\d\d:\d\d:\d\d\.\d{3} ERROR down code=E1\n$/);
    }, 40_000);
  }

  test("the web entry (a browser or worker): a logger without sinks and consoleSink() write NDJSON with each level's method; format \"text\" gives text lines", () => {
    const web = join(root, "mod.web.ts");
    const scripts = {
      "web-default.ts": script(web),
      "web-console.ts": script(web).replace("createLogger }", "createLogger, consoleSink }").replace("createLogger();", "createLogger({ sinks: [consoleSink()] });"),
      "web-text.ts": script(web).replace("createLogger }", "createLogger, consoleSink }").replace("createLogger();", 'createLogger({ sinks: [consoleSink({ format: "text" })] });'),
    };
    for (const [name, code] of Object.entries(scripts)) {
      const file = join(work, name);
      writeFileSync(file, code);
      // FORCE_COLOR is not read there (no environment); Bun's console.error colours stderr itself, so strip that
      const r = spawnSync(bin("bun"), [file], { encoding: "utf8", env: { ...process.env, FORCE_COLOR: "1" }, timeout: 30_000 });
      expect(r.status).toBe(0);
      if (name === "web-text.ts") {
        expect(r.stdout).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z INFO  up port=8080\n$/);
        expect(plain(r.stderr)).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z ERROR down code="E1"\n$/);
      } else {
        // console.info on stdout, console.error on stderr: one JSON line each
        expect(JSON.parse(r.stdout)).toMatchObject({ level: "info", msg: "up", port: 8080 });
        expect(JSON.parse(plain(r.stderr))).toMatchObject({ level: "error", msg: "down", code: "E1" });
      }
    }
  });
});

const INPUT = [
  '{"time":"2026-12-06T17:14:28.123Z","level":"info","category":"http","msg":"request handled","route":"/api/items","ms":12}',
  "not json at all",
  '{"level":50,"time":1796577268123,"pid":7,"hostname":"web","name":"api","msg":"boom","err":{"type":"Error","message":"bad","stack":"Error: bad\\n    at f (a.js:1:1)"}}',
  '{"timeUnixNano":"1796577268123000000","severityText":"WARN","body":{"stringValue":"slow query"},"attributes":[{"key":"ms","value":{"intValue":"950"}}],"scope":{"name":"db"}}',
  '{"time":"2026-12-06T17:14:29.000Z","level":"debug","msg":"last line, no newline"}',
].join("\n");
const EXPECTED = [
  "2026-12-06T17:14:28.123Z INFO  http request handled route=/api/items ms=12",
  "not json at all",
  "2026-12-06T17:14:28.123Z ERROR api  boom pid=7 hostname=web err=Error: bad",
  "    at f (a.js:1:1)",
  "2026-12-06T17:14:28.123Z WARN  db   slow query ms=950",
  "2026-12-06T17:14:29.000Z DEBUG      last line, no newline",
];

describe("sluice pretty", () => {
  const compiled = join(work, "sluice");
  const commands: Record<string, () => string[]> = {
    bun: () => [bin("bun"), join(root, "cli.ts")],
    deno: () => [bin("deno"), "run", "-A", "--config", join(root, "deno.json"), join(root, "cli.ts")],
    node: () => [process.execPath, join(root, "dist/cli.js")],
    "a compiled binary": () => {
      const b = spawnSync(bin("bun"), ["build", "--compile", join(root, "cli.ts"), "--outfile", compiled], { encoding: "utf8", timeout: 60_000 });
      expect(b.status).toBe(0);
      return [compiled];
    },
  };
  const env = () => {
    const e = { ...process.env, TZ: "UTC" } as Record<string, string>;
    delete e.FORCE_COLOR;
    return e;
  };
  for (const [name, command] of Object.entries(commands)) {
    test(`reads sluice, pino and OpenTelemetry lines from a pipe and loses no last line (${name})`, () => {
      const [c, ...args] = command();
      const r = spawnSync(c, [...args, "pretty", "--time", "iso"], { input: INPUT, encoding: "utf8", env: env(), timeout: 30_000 });
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(EXPECTED.join("\n") + "\n");
      if (name === "a compiled binary") rmSync(compiled);
    }, 60_000);
  }

  const run = (flags: string[], input: string, extra: Record<string, string> = {}) =>
    spawnSync(bin("bun"), [join(root, "cli.ts"), "pretty", ...flags], { input, encoding: "utf8", env: { ...env(), ...extra }, timeout: 30_000 });

  test("--level, --ignore, --single-line; FORCE_COLOR colours it; CRLF lines", () => {
    const r = run(["--level", "warn", "--ignore", "pid,hostname,category", "--single-line", "--time", "iso"], INPUT.replaceAll("\n", "\r\n"));
    expect(r.stdout).toBe([
      "not json at all", // not a record: no level to filter on
      "2026-12-06T17:14:28.123Z ERROR boom err=Error: bad",
      "2026-12-06T17:14:28.123Z WARN  slow query ms=950",
    ].join("\n") + "\n");
    const coloured = run(["--time", "iso"], INPUT, { FORCE_COLOR: "1" }).stdout;
    expect(coloured).toMatch(ESC);
    expect(plain(coloured)).toBe(EXPECTED.join("\n") + "\n");
  });

  test("--time elapsed counts from the first record; bad flags are one clear line and exit 1", () => {
    const r = run(["--time", "elapsed", "--ignore", "category"], INPUT);
    expect(r.stdout.split("\n")[0]).toBe("  +0.000s INFO  request handled route=/api/items ms=12");
    expect(r.stdout.split("\n").at(-2)).toBe("  +0.877s DEBUG last line, no newline");
    for (const [flags, message] of [[["--time", "utc"], "--time must be iso, local or elapsed"], [["--level", "loud"], "--level must be one of"], [["--colour"], "--colour"]] as const) {
      const bad = run([...flags], "");
      expect(bad.status).toBe(1);
      expect(bad.stderr).toContain(message);
      expect(bad.stderr.trim().split("\n").length).toBe(1);
    }
  });

  test("20,000 lines in small writes, a 2 MiB line and a cut UTF-8 character: every line out, in order", async () => {
    const child = spawn(bin("bun"), [join(root, "cli.ts"), "pretty", "--time", "iso"], { env: env() });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (d) => (out += d));
    const lines = Array.from({ length: 20_000 }, (_, i) => JSON.stringify({ time: "2026-12-06T17:14:28.123Z", level: "info", msg: `row ${i} ü€` }));
    const bytes = Buffer.from(lines.join("\n") + "\n" + "x".repeat(2 << 20) + "\nend");
    for (let i = 0; i < bytes.length; i += 4093) child.stdin.write(bytes.subarray(i, i + 4093)); // splits lines and characters
    child.stdin.end();
    const code = await new Promise((resolve) => child.on("close", resolve));
    expect(code).toBe(0);
    const got = out.split("\n");
    expect(got.length).toBe(20_004); // 20,000 records, the long line (in 1 MiB pieces: 2), "end", ""
    expect(got.slice(0, 20_000).every((l, i) => l === `2026-12-06T17:14:28.123Z INFO  row ${i} ü€`)).toBe(true);
    expect(got.slice(20_000, 20_002).join("")).toBe("x".repeat(2 << 20));
    expect(got[20_002]).toBe("end");
  }, 30_000);

  test("Ctrl-C on the pipeline: what the writer still sends, last line included, is written before it stops", async () => {
    const child = spawn(bin("bun"), [join(root, "cli.ts"), "pretty", "--time", "iso"], { env: env() });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (d) => (out += d));
    child.stdin.write('{"time":"2026-12-06T17:14:28.123Z","level":"info","msg":"before"}\n');
    while (!out.includes("before")) await Bun.sleep(10);
    child.kill("SIGINT");
    await Bun.sleep(100);
    child.stdin.end('{"time":"2026-12-06T17:14:28.123Z","level":"warn","msg":"after the signal"}'); // the writer's last words, no newline
    const code = await new Promise((resolve) => child.on("close", resolve));
    expect(code).toBe(0);
    expect(out).toBe("2026-12-06T17:14:28.123Z INFO  before\n2026-12-06T17:14:28.123Z WARN  after the signal\n");
  });
});

describe("sluice pretty's reader goes away", () => {
  test("sluice pretty | head: once its output is closed it stops, though its input never ends", async () => {
    const child = spawn(bin("bun"), [join(root, "cli.ts"), "pretty"], { stdio: ["pipe", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (d) => (stderr += d));
    const line = '{"time":"2026-12-06T17:14:28.123Z","level":"info","msg":"row"}\n'.repeat(100);
    let writing = true;
    child.stdin.on("error", () => {}); // it closes its input when it stops
    const feed = async () => {
      while (writing) {
        if (!child.stdin.write(line)) await new Promise((r) => child.stdin.once("drain", r));
        await Bun.sleep(1);
      }
    };
    void feed();
    await new Promise((r) => child.stdout.once("data", r));
    child.stdout.destroy(); // head has read its line
    const code = await Promise.race([new Promise((r) => child.on("close", r)), Bun.sleep(10_000).then(() => "still running")]);
    writing = false;
    child.kill();
    expect(code).toBe(0);
    expect(stderr).toBe("");
  }, 20_000);
});
