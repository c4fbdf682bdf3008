// The edge bundle's size, measured as tests/edge/edge.test.mjs measures it (bun build --target
// browser --format esm --minify, then node:zlib's gzip at its default level): core + httpSink
// (tests/edge/worker.ts), what otlpSink and sluice/hono's middleware add, and what each module
// adds (the bundle gzipped minus the same bundle without that module: a module's cost includes
// how well its text compresses next to the rest).
// Run: node bench/edge_size.mjs   (a few seconds; needs node_modules/.bin/bun)
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const root = new URL("../", import.meta.url).pathname;
const bun = join(root, "node_modules/.bin/bun");
const tmp = mkdtempSync(join(tmpdir(), "sluice-edge-size-"));

function build(entry, minify = true) {
  const out = join(tmp, "out.js");
  execFileSync(bun, ["build", join(root, entry), "--target", "browser", "--format", "esm", ...(minify ? ["--minify"] : []), "--outfile", out], { stdio: "ignore" });
  return readFileSync(out, "utf8");
}
function minifiedGzip(text) {
  const file = join(tmp, "in.js");
  writeFileSync(file, text);
  execFileSync(bun, ["build", "--no-bundle", "--minify", file, "--outfile", join(tmp, "out.js")], { stdio: "ignore" });
  return gzipSync(readFileSync(join(tmp, "out.js"))).length;
}

try {
  const core = gzipSync(build("tests/edge/worker.ts")).length;
  const otlp = gzipSync(build("tests/edge/otlp_size.ts")).length;
  const hono = gzipSync(build("tests/edge/hono_size.ts")).length;
  console.log(`core + httpSink: ${core} bytes gzipped (test bound 8,192: ${8_192 - core} to spare)`);
  console.log(`+ otlpSink: ${otlp} (+${otlp - core}); + sluice/hono's middleware: ${hono} (+${hono - core})`);

  // the unminified bundle marks each module with a "// path" line
  const lines = build("tests/edge/worker.ts", false).split("\n");
  const modules = [];
  lines.forEach((line, i) => {
    const m = /^\/\/ (?:[./]*\/)*?((?:lib|tests|hono)\/\S+\.ts)$/.exec(line);
    if (m) modules.push({ name: m[1], start: i, end: lines.length });
    if (m && modules.length > 1) modules[modules.length - 2].end = i;
  });
  const whole = minifiedGzip(lines.join("\n"));
  const rows = modules.map((m) => [whole - minifiedGzip([...lines.slice(0, m.start), ...lines.slice(m.end)].join("\n")), m.name]);
  console.log("\nbytes gzipped each module adds to core + httpSink:");
  for (const [bytes, name] of rows.sort((a, b) => b[0] - a[0])) console.log(`${String(bytes).padStart(5)}  ${name}`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
