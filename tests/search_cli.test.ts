// `sluice search` as a user runs it: NDJSON when piped (or --json), readable lines on a terminal
// (through `script`), --since/--from/--to/--limit, a progress report, a query that does not
// parse shown with a caret and exit status 2.
import { expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const cli = new URL("../cli.ts", import.meta.url).pathname;
const run = (...args: string[]) => spawnSync(process.execPath, [cli, "search", ...args], { encoding: "utf8", timeout: 20_000 });
const now = Date.now();
const line = (agoMs: number, level: string, msg: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ time: new Date(now - agoMs).toISOString(), level, category: "http", msg, ...extra });

function logs(): string {
  const dir = mkdtempSync(join(tmpdir(), "sluice-search-cli-"));
  const old = new Date(now - 3 * 3_600_000).toISOString().replace(/[:.]/g, "-");
  writeFileSync(join(dir, `http.${old}.ndjson.gz`), gzipSync([line(4 * 3_600_000, "warn", "old timeout", { route: "/api/a" })].join("\n") + "\n"));
  writeFileSync(join(dir, "http.ndjson"), [
    line(30 * 60_000, "error", "upstream timeout", { route: "/api/orders", ms: 2300 }),
    line(20 * 60_000, "info", "health check", { route: "/health", ms: 1 }),
    line(10 * 60_000, "warn", "slow", { route: "/api/users", ms: 900 }),
  ].join("\n") + "\n");
  return dir;
}

test("piped: NDJSON lines as stored, newest first; --since, --from/--to, --limit", () => {
  const dir = logs();
  const all = run("--dir", dir, 'level:>=warn route:/api* -"health check"');
  expect(all.status).toBe(0);
  expect(all.stdout.trim().split("\n").map((l) => JSON.parse(l).msg)).toEqual(["slow", "upstream timeout", "old timeout"]);
  expect(run("--dir", dir, "--since", "1h", "timeout").stdout.trim().split("\n").map((l) => JSON.parse(l).msg)).toEqual(["upstream timeout"]);
  const window = run("--dir", dir, "--from", "45m", "--to", "15m", "ms:>=1");
  expect(window.stdout.trim().split("\n").map((l) => JSON.parse(l).msg)).toEqual(["health check", "upstream timeout"]);
  expect(run("--dir", dir, "--limit", "1").stdout.trim().split("\n").map((l) => JSON.parse(l).msg)).toEqual(["slow"]);
  expect(run("--dir", dir, "nothing-matches").stdout).toBe("");
  const none = run("--dir", join(dir, "missing"), "x");
  expect(none.status).toBe(0);
  expect(none.stderr).toBe(`sluice search: no record files in ${join(dir, "missing")} (the collector's --dir?)\n`);
  // --progress: a report of what was read, on stderr only
  const progress = run("--dir", dir, "--progress", "timeout");
  expect(progress.stderr).toMatch(/^sluice search: read [\d.]+ of [\d.]+ MB in [\d.]+ s$/m);
  expect(progress.stdout.trim().split("\n").length).toBe(2);
}, 30_000);

test("on a terminal: readable lines (--json keeps NDJSON)", () => {
  const dir = logs();
  const tty = (extra: string) => spawnSync("script", ["-qec", `${process.execPath} ${cli} search --dir ${dir} ${extra} timeout`, "/dev/null"], { encoding: "utf8", timeout: 20_000 });
  const text = tty("");
  expect(text.status).toBe(0);
  expect(text.stdout).toContain("upstream timeout");
  expect(text.stdout).not.toContain('"msg"');
  expect(tty("--json").stdout).toContain('"msg":"upstream timeout"');
}, 30_000);

test("bad input: exit 2, the query shown with a caret under the position, or the flag named", () => {
  const dir = logs();
  const r = run("--dir", dir, "level:>=warn (x");
  expect(r.status).toBe(2);
  expect(r.stderr).toBe('sluice search: the query does not parse: at 15: expected ")"\n  level:>=warn (x\n                 ^\n');
  const since = run("--dir", dir, "--since", "yesterday", "x");
  expect(since.status).toBe(2);
  expect(since.stderr).toStartWith("sluice search: --since: ");
  expect(run("--dir", dir, "--limit", "0", "x").stderr).toStartWith("sluice search: --limit must be");
  expect(run("--dir", dir, "--since", "1h", "--from", "2h", "x").status).toBe(2);
}, 30_000);
