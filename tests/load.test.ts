// `sluice load`: its parsing, the generator, and the command as a user runs it.
import { describe, expect, test } from "bun:test";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger, type LogRecord, type Sink } from "../mod.ts";
import { parseCommand, parseDuration, parseEvents } from "../tools/flags.ts";
import { LOAD } from "../tools/load_command.ts";
import { runLoad } from "../tools/load/run_load.ts";
import { serve } from "../server.ts";

describe("parsing", () => {
  test("durations, events and flags", () => {
    expect(parseDuration("500ms")).toBe(500);
    expect(parseDuration("30s")).toBe(30000);
    expect(() => parseDuration("2", "sluice load: --duration")).toThrow(/^sluice load: --duration: bad duration "2"; use a number with a unit/);
    expect(parseDuration("1h")).toBe(3600000);
    expect(() => parseDuration("soon")).toThrow(/bad duration "soon"/);
    expect([...parseEvents("a=350,b=0,c=300")]).toEqual([["a", 350], ["b", 0], ["c", 300]]);
    expect(() => parseEvents("a=1,a=2")).toThrow(/given twice/);
    expect(() => parseEvents("a")).toThrow(/use name=recordsPerSecond/);
    expect(parseCommand(LOAD, ["--duration", "5s", "--json", "--dir=/x"])).toEqual({ values: { duration: "5s", json: true, dir: "/x" }, positionals: [], help: false });
    expect(() => parseCommand(LOAD, ["--duration"])).toThrow(/^sluice load: --duration needs a value \(30s\) \(see sluice load --help\)$/);
    expect(() => parseCommand(LOAD, ["stray"])).toThrow(/^sluice load: unexpected argument "stray"/);
    expect(() => parseCommand(LOAD, ["--json=yes"])).toThrow(/--json takes no value/);
  });
});

describe("runLoad", () => {
  test("each event gets its rate; an event at 0 is harmless; everything is written", async () => {
    const records: LogRecord[] = [];
    const sink: Sink<LogRecord[]> = { name: "mem", sync: true, defaultOnFull: "block", encode: (r) => [...r], write: (r) => void records.push(...r), close() {} };
    const log = createLogger({ sinks: [sink] });
    const report = await runLoad({ events: new Map([["a", 400], ["b", 0], ["c", 200]]), durationMs: 500, concurrency: 3, logger: log }, () => 0);
    expect(report.events.b.records).toBe(0);
    expect(report.events.a.records).toBeGreaterThanOrEqual(190);
    expect(report.events.a.records).toBeLessThanOrEqual(201);
    expect(report.events.c.records).toBeGreaterThanOrEqual(95);
    expect(report.written).toBe(report.records);
    expect(records.length).toBe(report.records);
    expect(new Set(records.map((r) => r.category))).toEqual(new Set(["a", "c"]));
  });
});

describe("the command", () => {
  const cli = new URL("../cli.ts", import.meta.url).pathname;
  const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", timeout: 30000 });

  test("load --json writes per-event files and reports the figures", () => {
    const dir = join(mkdtempSync(join(tmpdir(), "sluice-load-")), "out");
    const r = run("load", "--events", "a=300,b=0,c=100", "--duration", "1s", "--dir", dir, "--json", "--rotation-interval", "1h");
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.records).toBe(report.written);
    expect(report.records).toBeGreaterThan(300);
    expect(report.flushLatencyMs.count).toBeGreaterThan(0);
    expect(report.peakRssMb).toBeGreaterThan(0);
    expect(report.bytes).toBeGreaterThan(0);
    expect(readdirSync(dir).sort()).toEqual(["a.ndjson", "c.ndjson"]);
  });

  test("load --target drives a collector through httpSink and reports end-to-end latency", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sluice-load-target-"));
    const server = await serve({ port: 0, dir, tokens: [{ name: "load", token: "tk" }], handleSignals: false });
    try {
      const r = spawn(process.execPath, [cli, "load", "--target", `${server.url}/ingest`, "--token", "tk", "--events", "a=500,b=500", "--duration", "1s", "--json", "--gzip"]);
      let out = "";
      r.stdout.on("data", (d) => (out += d));
      const code = await new Promise((res) => r.once("exit", res));
      expect(code).toBe(0);
      const report = JSON.parse(out);
      expect(report.written).toBe(report.records);
      expect(report.records).toBeGreaterThan(900);
      expect(report.endToEndMs.count).toBeGreaterThan(0);
      const lines = readdirSync(dir).filter((f) => f.endsWith(".ndjson")).reduce((n, f) => n + readFileSync(join(dir, f), "utf8").split("\n").filter(Boolean).length, 0);
      expect(lines).toBe(report.records);
    } finally {
      await server.close();
    }
  }, 30000);

  test("bad input is a clear error and a non-zero exit", () => {
    const r = run("load", "--events", "a=fast");
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('bad event "a=fast"');
    const u = run("launch");
    expect(u.status).toBe(2);
    expect(u.stderr).toContain('unknown command "launch"');
    expect(run("load", "--colour", "red").stderr).toContain("unknown flag --colour");
  });
});
