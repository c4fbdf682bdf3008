// The npm package is whole: `npm pack` of this checkout builds dist/ (prepack), holds the
// library, the collector and the command but nothing large (no compiled binary, no tests or
// benchmarks), and installs from its tarball into a fresh consumer project where it runs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("../../", import.meta.url).pathname;
const npm = (args, cwd = root) => execFileSync("npm", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 120_000 });

test("npm pack: dist built by prepack, the entries present, no binary, tests or benchmarks, under 3 MiB", () => {
  // a compiled binary lying in dist/ (npm run build:bin) must not go into the package
  const binary = join(root, "dist/sluice");
  const planted = !existsSync(binary);
  if (planted) writeFileSync(binary, Buffer.alloc(4 << 20));
  try {
    const [pack] = JSON.parse(npm(["pack", "--dry-run", "--json", "--ignore-scripts"]));
    const files = pack.files.map((f) => f.path);
    for (const f of ["dist/mod.js", "dist/mod.d.ts", "dist/mod.web.js", "dist/server.js", "dist/cli.js", "mod.ts", "package.json", "README.md", "LICENSE"]) {
      assert.ok(files.includes(f), `${f} is in the package`);
    }
    assert.deepEqual(files.filter((f) => /^(tests|bench|scripts|node_modules)\/|^dist\/sluice$|\.tgz$/.test(f)), []);
    // Node's JavaScript is one file per entry and the chunks they share (scripts/build.mjs), not
    // the ninety modules tsc emits (those stay in dist/ for the tests; the declarations ship)
    assert.ok(files.some((f) => /^dist\/chunks\/.+\.js$/.test(f)), "the shared chunks are in the package");
    assert.deepEqual(files.filter((f) => /^dist\/.+\/.+\.js$/.test(f) && !/^dist\/(chunks\/|caller\/(register|node_hooks)\.js$)/.test(f)), []);
    // the whole package (sources, dist's .js and .d.ts, README) is about 2.5 MiB since the console,
    // search, PostgreSQL and framework entries (1 MiB before); the bound leaves room to grow by files
    // of source and keeps out anything large (the planted 4 MiB binary, tests, benchmarks)
    assert.ok(pack.unpackedSize < 3 * (1 << 20), `unpacked ${pack.unpackedSize} bytes`);
  } finally {
    if (planted) rmSync(binary);
  }
  const scripts = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).scripts;
  assert.match(scripts.prepack, /scripts\/build\.mjs/);
});

test("the packed tarball installs into a fresh project and runs: the library and the sluice command", () => {
  const out = mkdtempSync(join(tmpdir(), "sluice-pack-"));
  // dist/ as `npm test` built it: prepack would build it again under the suites running beside
  // this one, which read it (the test above checks that prepack builds)
  const [pack] = JSON.parse(npm(["pack", "--json", "--ignore-scripts", "--pack-destination", out]));
  const app = join(out, "app");
  execFileSync("mkdir", [app]);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  // hono, the only run-time dependency, comes from the npm cache that `npm install` filled
  npm(["install", "--prefer-offline", "--no-audit", "--no-fund", join(out, pack.filename)], app);
  writeFileSync(join(app, "main.js"), `
    import { createLogger, fileSink } from "sluice";
    import { createIngestApp } from "sluice/server";
    const log = createLogger({ sinks: [fileSink("./app.ndjson")] });
    log.info("from a consumer", { n: 1 });
    await log.close();
    console.log(typeof createIngestApp);
  `);
  const r = spawnSync(process.execPath, ["main.js"], { cwd: app, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), "function");
  assert.match(readFileSync(join(app, "app.ndjson"), "utf8"), /"msg":"from a consumer","n":1/);
  const version = spawnSync(join(app, "node_modules/.bin/sluice"), ["--version"], { encoding: "utf8" });
  assert.equal(version.stdout.trim(), JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version);
  rmSync(out, { recursive: true, force: true });
});
