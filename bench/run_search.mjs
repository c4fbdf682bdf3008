// Whole-process benchmark of search over the files (issue 19's targets): generates about 1 GB
// of NDJSON in sluice's form under a temporary directory, laid out as the collector writes it
// (four categories, each a live file and three rotated ones, the last hour of records), then,
// interleaved for ROUNDS rounds with the page cache warm:
//   - a rare word: `sluice search zebrafish` (Node on dist/cli.js, and Bun on cli.ts) beside `grep -F -c` and, when
//     installed, `rg -F -c` over the same files;
//   - a field query with a numeric comparison: `sluice search 'ms:>=995 status:>=500'`;
//   - a histogram of the last hour (FileSearcher.histogram, 60 buckets) in its own process.
// Prints each median wall time, MB/s, peak RSS (/usr/bin/time -v), the ratios and `uptime`;
// removes the directory at the end. Env: ROUNDS (default 5), GB (default 1).
import { execFileSync, spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("../", import.meta.url).pathname;
const bin = (n) => join(root, "node_modules/.bin", n);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const BYTES = Number(process.env.GB ?? 1) * 1e9;
const dir = mkdtempSync(join(tmpdir(), "sluice-bench-search-"));
const logs = join(dir, "logs");
const sh = (cmd, args) => execFileSync(cmd, args, { encoding: "utf8" }).trim();

try {
  console.log(`uptime at start: ${sh("uptime", [])}`);
  // the command as the npm package runs it on Node (dist/cli.js, built here), and the histogram
  // bundled for Node into one file
  execFileSync(bin("tsc"), ["-p", join(root, "tsconfig.build.json")], { stdio: "inherit" });
  writeFileSync(join(dir, "histogram.ts"), `
    import { FileSearcher } from ${JSON.stringify(join(root, "collector/search/file_searcher.ts"))};
    import { histogramRequest } from ${JSON.stringify(join(root, "collector/search/search_input.ts"))};
    const h = await new FileSearcher(process.argv[2]).histogram(histogramRequest({ from: "1h", buckets: "60" }, Date.now()));
    console.log(h.buckets.reduce((n, b) => n + b.count, 0));
  `);
  sh(bin("bun"), ["build", join(dir, "histogram.ts"), "--target", "node", "--outfile", join(dir, "histogram.mjs")]);

  const files = generate(logs, BYTES);
  const total = files.reduce((n, f) => n + statSync(f).size, 0);
  console.log(`${files.length} files, ${(total / 1e6).toFixed(0)} MB in ${logs}`);
  if (spawnSync("cat", files, { stdio: ["ignore", "ignore", "inherit"] }).status !== 0) throw new Error("cat failed"); // warm the page cache

  const rg = spawnSync("rg", ["--version"]).status === 0;
  const subjects = {
    "grep -F -c (rare word)": ["grep", "-F", "-c", "zebrafish", ...files],
    ...(rg ? { "rg -F -c (rare word)": ["rg", "-F", "-c", "zebrafish", ...files] } : {}),
    "sluice search, Node (rare word)": [process.execPath, join(root, "dist/cli.js"), "search", "--dir", logs, "--json", "--limit", "1000", "zebrafish"],
    "sluice search, Bun (rare word)": [bin("bun"), join(root, "cli.ts"), "search", "--dir", logs, "--json", "--limit", "1000", "zebrafish"],
    "sluice search, Node (ms:>=995 status:>=500)": [process.execPath, join(root, "dist/cli.js"), "search", "--dir", logs, "--json", "--limit", "1000", "ms:>=995 status:>=500"],
    "sluice search, Bun (ms:>=995 status:>=500)": [bin("bun"), join(root, "cli.ts"), "search", "--dir", logs, "--json", "--limit", "1000", "ms:>=995 status:>=500"],
    "histogram, last hour, Node": [process.execPath, join(dir, "histogram.mjs"), logs],
  };
  const runs = Object.fromEntries(Object.keys(subjects).map((k) => [k, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, argv] of Object.entries(subjects)) runs[name].push(timed(argv));
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const grep = runs["grep -F -c (rare word)"];
  const grepMs = median(grep.map((r) => r.ms)), grepCpu = median(grep.map((r) => r.cpuMs));
  console.log(`\n${ROUNDS} rounds, interleaved; medians (wall, and CPU = user + system, which a loaded machine inflates less):`);
  for (const [name, rs] of Object.entries(runs)) {
    const ms = median(rs.map((r) => r.ms)), cpu = median(rs.map((r) => r.cpuMs)), rss = median(rs.map((r) => r.rssKb)) / 1024;
    const ratio = name.includes("rare word") ? `  ${(grepMs / ms).toFixed(2)}x grep's speed (CPU ${(grepCpu / cpu).toFixed(2)}x)` : "";
    console.log(`  ${name.padEnd(44)} ${String(Math.round(ms)).padStart(6)} ms ${(total / 1e6 / (ms / 1000)).toFixed(0).padStart(5)} MB/s  CPU ${String(Math.round(cpu)).padStart(5)} ms ${(total / 1e6 / (cpu / 1000)).toFixed(0).padStart(5)} MB/s  peak RSS ${rss.toFixed(0).padStart(4)} MB${ratio}  (${rs[0].out})`);
  }
  console.log(`\nuptime at end: ${sh("uptime", [])}`);
  console.log(`node ${process.version}, ${sh(bin("bun"), ["--version"])} (bun), ${sh("grep", ["--version"]).split("\n")[0]}${rg ? ", " + sh("rg", ["--version"]).split("\n")[0] : ""}`);
} finally {
  if (process.env.KEEP !== "1") rmSync(dir, { recursive: true, force: true });
}

/** Runs a command under /usr/bin/time -v (its report to a file: Bun leaves a shared stderr non-blocking): wall ms, peak RSS (kB), the output's first line. */
function timed(argv) {
  const report = join(dir, "time.txt");
  const start = performance.now();
  const r = spawnSync("/usr/bin/time", ["-v", "-o", report, ...argv], { encoding: "utf8", maxBuffer: 64 << 20 });
  const ms = performance.now() - start;
  if (r.status !== 0 && !(["grep", "rg"].includes(argv[0]) && r.status === 1)) throw new Error(`${argv.join(" ")}: status ${r.status}: ${r.stderr}`);
  const t = readFileSync(report, "utf8");
  const rssKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(t)?.[1] ?? NaN);
  const cpuMs = 1000 * (Number(/User time \(seconds\): ([\d.]+)/.exec(t)?.[1]) + Number(/System time \(seconds\): ([\d.]+)/.exec(t)?.[1]));
  const out = r.stdout.trim().split("\n");
  return { ms, cpuMs, rssKb, out: `${out.length} lines, ${out[0].slice(0, 40)}` };
}

/**
 * Writes about `bytes` of records over the last 50 minutes: categories http, db, auth, jobs,
 * each as three rotated files and a live one (names and mtimes as the collector leaves them);
 * one record in 400,009 (about ten in 1 GB) carries the rare word.
 */
function generate(where, bytes) {
  execFileSync("mkdir", ["-p", where]);
  const now = Date.now();
  const span = 50 * 60_000;
  const categories = ["http", "db", "auth", "jobs"];
  const parts = 4;
  const perFile = bytes / (categories.length * parts);
  const routes = ["/api/users", "/api/orders", "/health", "/api/items/42", "/login"];
  const msgs = ["request done", "cache miss", "upstream slow", "user logged in", "query executed"];
  const levels = ["info", "info", "info", "info", "info", "info", "info", "debug", "warn", "error"];
  const out = [];
  let seq = 0;
  for (const category of categories) {
    for (let part = 0; part < parts; part++) {
      const start = now - span + (part * span) / parts, end = now - span + ((part + 1) * span) / parts;
      const stamp = new Date(end).toISOString().replace(/[:.]/g, "-");
      const path = join(where, part === parts - 1 ? `${category}.ndjson` : `${category}.${stamp}.ndjson`);
      const fd = openSync(path, "w");
      let written = 0, batch = [];
      const lines = Math.round(perFile / 250);
      for (let i = 0; written < perFile; i++) {
        const t = new Date(start + ((end - start) * i) / lines).toISOString();
        const n = seq++;
        const msg = n % 400_009 === 200_000 ? "zebrafish exploded" : msgs[n % 5];
        batch.push(`{"time":"${t}","level":"${levels[n % 10]}","category":"${category}","msg":"${msg}","producer":"edge-${n % 7}","route":"${routes[n % 5]}","status":${n % 13 === 0 ? 500 : 200},"ms":${(n * 7919) % 1000},"reqId":"r${(n * 2654435761 % 4294967296).toString(16)}","ua":"Mozilla/5.0 (X11; Linux x86_64)"}`);
        if (batch.length === 10_000) {
          const text = batch.join("\n") + "\n";
          writeSync(fd, text);
          written += text.length;
          batch = [];
        }
      }
      if (batch.length) writeSync(fd, batch.join("\n") + "\n");
      closeSync(fd);
      utimesSync(path, end / 1000, end / 1000);
      out.push(path);
    }
  }
  if (!existsSync(out[0])) throw new Error("no files written");
  return out;
}
