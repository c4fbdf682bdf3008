// sluice tail: the last records over many files merged by time, filters, and following files
// as they grow, rotate and are truncated; the command itself.
import { describe, expect, test } from "bun:test";
import { appendFileSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger, detectRuntime, rotatingFileSink } from "../mod.ts";
import { FileTail } from "../tools/tail/file_tail.ts";
import type { TailFilter, TailLine } from "../tools/tail/tail_line.ts";

const temp = () => mkdtempSync(join(tmpdir(), "sluice-tail-"));
const fs = detectRuntime().fs!;
const rec = (s: number, msg: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ time: new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString(), level: "info", msg, ...extra }) + "\n";

function tailOf(paths: string[], lines = 10, filter: TailFilter = {}) {
  const seen: TailLine[] = [];
  const t = new FileTail(paths, { fs, lines, filter, onLine: (l) => seen.push(l) });
  const take = () => seen.splice(0).map((l) => l.record?.msg ?? l.raw);
  return { t, take };
}

describe("FileTail: the last records", () => {
  test("merged by time over a directory's files; only .ndjson files", () => {
    const dir = temp();
    writeFileSync(join(dir, "http.ndjson"), rec(1, "a") + rec(4, "d") + rec(6, "f"));
    writeFileSync(join(dir, "billing.ndjson"), rec(2, "b") + rec(3, "c") + rec(5, "e"));
    writeFileSync(join(dir, "old.ndjson.gz"), "not read");
    const { t, take } = tailOf([dir], 4);
    t.showLast();
    expect(take()).toEqual(["c", "d", "e", "f"]);
  });

  test("filters: level and above, a category and those under it, a producer; other lines only unfiltered", () => {
    const dir = temp();
    writeFileSync(join(dir, "a.ndjson"), [
      rec(1, "quiet"),
      rec(2, "loud", { level: "error", category: "http" }),
      rec(3, "db", { level: "warn", category: "http.db", producer: "p1" }),
      rec(4, "other", { level: "warn", category: "httpx" }),
      "not json\n",
    ].join(""));
    const run = (filter: TailFilter) => {
      const { t, take } = tailOf([dir], 10, filter);
      t.showLast();
      return take();
    };
    expect(run({})).toEqual(["quiet", "loud", "db", "other", "not json"]);
    expect(run({ level: "warn" })).toEqual(["loud", "db", "other"]);
    expect(run({ category: "http" })).toEqual(["loud", "db"]);
    expect(run({ producer: "p1" })).toEqual(["db"]);
  });

  test("reads back far enough in a large file to find the records a filter wants", () => {
    const dir = temp();
    let text = "";
    for (let i = 0; i < 5000; i++) text += rec(1, `r${i}`, { level: i % 1000 === 0 ? "error" : "info", pad: "x".repeat(100) });
    writeFileSync(join(dir, "big.ndjson"), text);
    const { t, take } = tailOf([join(dir, "big.ndjson")], 3, { level: "error" });
    t.showLast();
    expect(take()).toEqual(["r2000", "r3000", "r4000"]);
  });

  test("a path that does not exist, or a bad line count, is a clear error", () => {
    expect(() => tailOf(["/nonexistent/sluice"])).toThrow("sluice tail: /nonexistent/sluice does not exist");
    expect(() => tailOf([temp()], -1)).toThrow(/lines must be a whole number/);
  });
});

describe("FileTail: following", () => {
  test("appended lines, a line finished later, a file that appears: each shown once", () => {
    const dir = temp();
    writeFileSync(join(dir, "a.ndjson"), rec(1, "old"));
    const { t, take } = tailOf([dir], 0);
    t.showLast();
    expect(take()).toEqual([]);
    appendFileSync(join(dir, "a.ndjson"), rec(2, "new") + rec(3, "half").slice(0, 20));
    t.poll();
    expect(take()).toEqual(["new"]);
    appendFileSync(join(dir, "a.ndjson"), rec(3, "half").slice(20));
    writeFileSync(join(dir, "b.ndjson"), rec(4, "fresh file"));
    t.poll();
    expect(take()).toEqual(["half", "fresh file"]);
    t.poll();
    expect(take()).toEqual([]);
  });

  test("rotation (rename, new file) loses nothing and shows nothing twice; truncation starts over", () => {
    const dir = temp();
    const live = join(dir, "app.ndjson");
    writeFileSync(live, rec(1, "before"));
    const { t, take } = tailOf([dir], 10);
    t.showLast();
    expect(take()).toEqual(["before"]);
    appendFileSync(live, rec(2, "last of old"));
    renameSync(live, join(dir, "app.2026-01-01T00-00-02.000Z.ndjson"));
    writeFileSync(live, rec(3, "first of new"));
    t.poll();
    expect(take()).toEqual(["last of old", "first of new"]);
    writeFileSync(live, rec(4, "after truncation"));
    t.poll();
    expect(take()).toEqual(["after truncation"]);
  });

  test("a single file followed by name: the lines written just before it is rotated away are shown, then the new file's", () => {
    const dir = temp();
    const live = join(dir, "app.ndjson");
    writeFileSync(live, rec(1, "a"));
    const { t, take } = tailOf([live], 10);
    t.showLast();
    expect(take()).toEqual(["a"]);
    appendFileSync(live, rec(2, "b"));
    renameSync(live, join(dir, "app.1.ndjson"));
    writeFileSync(live, rec(3, "c"));
    t.poll();
    expect(take()).toEqual(["b", "c"]);
    t.close();
  });

  test("a rotated file deleted before the next look (gzip, retention) is still read to its end", () => {
    const dir = temp();
    const live = join(dir, "app.ndjson");
    writeFileSync(live, rec(1, "a"));
    const { t, take } = tailOf([dir], 10);
    t.showLast();
    take();
    appendFileSync(live, rec(2, "b"));
    renameSync(live, join(dir, "app.1.ndjson"));
    rmSync(join(dir, "app.1.ndjson"));
    writeFileSync(live, rec(3, "c"));
    t.poll();
    expect(take()).toEqual(["b", "c"]);
    t.close();
  });

  test("a file rewritten in place with lines of the same length is read again from its start", () => {
    const dir = temp();
    const live = join(dir, "app.ndjson");
    writeFileSync(live, rec(1, "a") + rec(2, "b"));
    const { t, take } = tailOf([live], 10);
    t.showLast();
    take();
    writeFileSync(live, rec(3, "c") + rec(4, "d") + rec(5, "e"));
    t.poll();
    expect(take()).toEqual(["c", "d", "e"]);
    t.close();
  });

  test("the same file named twice is shown once; a line with no end in sight is not held forever", () => {
    const dir = temp();
    const live = join(dir, "app.ndjson");
    writeFileSync(live, rec(1, "a"));
    const { t, take } = tailOf([dir, live], 10);
    t.showLast();
    expect(take()).toEqual(["a"]);
    appendFileSync(live, "x".repeat((1 << 20) + 10));
    t.poll();
    t.poll();
    const shown = take();
    expect(shown.length).toBe(1);
    expect(shown[0].length).toBe((1 << 20) + 10);
    t.close();
  });

  test("follows a logger rotating every 2 KB: every record once, in order", async () => {
    const dir = temp();
    const log = createLogger({ sinks: [rotatingFileSink(join(dir, "app.ndjson"), { rotate: { maxBytes: 2000 } })], batch: { maxRecords: 7 } });
    const { t, take } = tailOf([dir], 0);
    t.showLast();
    const got: string[] = [];
    for (let i = 0; i < 300; i++) {
      log.info(`m${i}`, { i });
      if (i % 10 === 9) {
        await log.flush();
        t.poll();
        got.push(...take());
      }
    }
    await log.close();
    t.poll();
    got.push(...take());
    expect(got).toEqual(Array.from({ length: 300 }, (_, i) => `m${i}`));
  });
});

describe("sluice tail, the command", () => {
  const cli = new URL("../cli.ts", import.meta.url).pathname;

  test("prints the last records as text on a terminal, as written when piped; bad flags are clear errors", async () => {
    const dir = temp();
    writeFileSync(join(dir, "a.ndjson"), rec(1, "one") + rec(2, "two", { level: "warn", category: "http", n: 2 }));
    const run = (...args: string[]) => Bun.spawnSync([process.execPath, cli, "tail", ...args], { stdout: "pipe", stderr: "pipe", env: { ...process.env, NO_COLOR: "1" } });
    // on a terminal (util-linux `script` gives the command a pty): the text format
    const onTty = Bun.spawnSync(["script", "-qec", [process.execPath, cli, "tail", dir, "--lines", "1"].map((a) => `'${a}'`).join(" "), "/dev/null"], { stdout: "pipe", env: { ...process.env, NO_COLOR: "1" } });
    expect(onTty.exitCode).toBe(0);
    expect(onTty.stdout.toString().replace(/\r\n/g, "\n").replace(/\x1b\[[0-9;]*m/g, "")).toBe("2026-01-01T00:00:02.000Z WARN  [http] two n=2\n");
    // piped: the lines as written, with or without --json
    const piped = run(dir, "--lines", "1");
    expect(piped.exitCode).toBe(0);
    expect(piped.stdout.toString()).toBe(rec(2, "two", { level: "warn", category: "http", n: 2 }));
    expect(run(dir, "--json", "--level", "warn").stdout.toString()).toBe(rec(2, "two", { level: "warn", category: "http", n: 2 }));
    const bad = run(dir, "--level", "loud");
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr.toString()).toMatch(/--level must be one of trace, debug, info, warn, error, fatal/);
    expect(run(join(dir, "missing")).stderr.toString()).toMatch(/sluice tail: .*missing does not exist/);
    expect(run(dir, "--frobnicate", "1").stderr.toString()).toMatch(/unknown flag --frobnicate/);
  });

  test("-f follows new records until SIGTERM", async () => {
    const dir = temp();
    writeFileSync(join(dir, "a.ndjson"), rec(1, "start"));
    const child = Bun.spawn([process.execPath, cli, "tail", dir, "-f", "--json", "--interval", "20ms"], { stdout: "pipe" });
    const reader = child.stdout.getReader();
    let out = "";
    const until = async (text: string) => {
      const deadline = Date.now() + 5000;
      while (!out.includes(text) && Date.now() < deadline) {
        const { value, done } = await Promise.race([reader.read(), new Promise<{ value: undefined; done: true }>((r) => setTimeout(() => r({ value: undefined, done: true }), 200))]);
        if (value) out += new TextDecoder().decode(value);
        else if (done && child.exitCode !== null) break;
      }
      expect(out).toContain(text);
    };
    await until('"msg":"start"');
    appendFileSync(join(dir, "a.ndjson"), rec(2, "later"));
    await until('"msg":"later"');
    child.kill("SIGTERM");
    expect(await child.exited).toBe(0);
    expect(out.split("\n").filter(Boolean).length).toBe(2);
  });
});
