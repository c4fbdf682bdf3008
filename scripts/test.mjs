// `npm test`: type-check, build the npm output, deno lint the published code, deno doc --lint the entries (scripts/doc_lint.mjs), then run every suite on its runtime:
// bun:test (tests/*.test.ts), deno test (tests/deno/), node --test (tests/node/, on dist/).
// Prints one closing line, "N passed, N failed", and exits non-zero when anything failed.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const bin = (name) => new URL(`../node_modules/.bin/${name}`, import.meta.url).pathname;
for (const tool of ["bun", "deno", "tsc"]) {
  if (!existsSync(bin(tool))) {
    console.error(`sluice tests: node_modules/.bin/${tool} is missing; run \`npm install\` first`);
    process.exit(1);
  }
}

// bun:test suites are the top level of tests/; tests/deno and tests/node belong to their runtimes.
const bunSuites = readdirSync(new URL("../tests", import.meta.url)).filter((f) => f.endsWith(".test.ts")).map((f) => `./tests/${f}`);
const steps = [
  { name: "typecheck", cmd: [bin("tsc"), "-p", "tsconfig.json"] },
  { name: "build", cmd: [process.execPath, "scripts/build.mjs"] },
  { name: "lint", cmd: [bin("deno"), "lint", "mod.ts", "mod.web.ts", "api.ts", "server.ts", "cli.ts", "lib", "adapters", "collector", "tools", "postgres.ts", "postgres", "caller.ts", "caller", "testing.ts", "testing", "elysia.ts", "elysia", "express.ts", "express", "fastify.ts", "fastify", "hono.ts", "hono"] },
  { name: "doc-lint", cmd: [process.execPath, "scripts/doc_lint.mjs"] },
  { name: "bun", cmd: [bin("bun"), "test", ...bunSuites], count: /^\s*(\d+) pass\n\s*(\d+) fail/m },
  { name: "deno", cmd: [bin("deno"), "test", "-A", "--config", "deno.json", "tests/deno/"], count: /(\d+) passed(?:.*?)\| (\d+) failed/ },
  { name: "node", cmd: [process.execPath, "--test", "tests/node/", "tests/edge/"], count: /# pass (\d+)\n# fail (\d+)/ },
];

// every suite's temporary files go under one directory (TMPDIR), removed when the run ends
const scratch = mkdtempSync(join(tmpdir(), "sluice-test-run-"));
let passed = 0, failed = 0, broken = [];
for (const step of steps) {
  console.log(`\n=== ${step.name}: ${step.cmd.map((c) => c.replace(/.*node_modules\/\.bin\//, "")).join(" ")}`);
  const r = spawnSync(step.cmd[0], step.cmd.slice(1), { encoding: "utf8", env: { ...process.env, NO_COLOR: "1", TMPDIR: scratch }, timeout: 900_000 });
  const out = (r.stdout ?? "") + (r.stderr ?? "");
  process.stdout.write(out);
  if (step.count) {
    const m = out.replace(/\x1b\[[0-9;]*m/g, "").match(step.count);
    if (m) {
      passed += Number(m[1]);
      failed += Number(m[2]);
    } else broken.push(`${step.name} (no test summary)`);
  }
  if (r.status !== 0) broken.push(`${step.name} (exit ${r.status ?? r.signal})`);
}
rmSync(scratch, { recursive: true, force: true });
console.log(`\n${broken.length ? "broken: " + broken.join(", ") + "\n" : ""}${passed} passed, ${failed} failed`);
process.exit(broken.length || failed ? 1 : 0);
