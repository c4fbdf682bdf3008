// The npm package as a user installs it: "sluice" and "sluice/server" resolve to the built
// output with types; the library itself depends on nothing, the collector on hono alone, and
// only "sluice/jetstream" reaches the NATS client, only "sluice/postgres" the PostgreSQL driver.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("../../", import.meta.url);

/** Every module the built `entry` reaches, with the bare specifiers each one imports. */
function graph(entry) {
  const seen = new Map();
  const visit = (url) => {
    if (seen.has(url.href)) return;
    const text = readFileSync(url, "utf8");
    const specs = [...text.matchAll(/^(?:(?:import|export)\b[^'";]*?from\s*|import\s*)["']([^"']+)["']/gm)].map((m) => m[1]);
    seen.set(url.href, specs.filter((s) => !s.startsWith(".")));
    for (const s of specs) if (s.startsWith(".")) visit(new URL(s, url));
  };
  visit(new URL(entry, root));
  return seen;
}

test("package.json exports point at built files; the library imports no package, the collector only hono, the NATS client only sluice/jetstream", async () => {
  const pkg = JSON.parse(readFileSync(new URL("package.json", root), "utf8"));
  assert.equal(pkg.name, "sluice");
  assert.deepEqual(Object.keys(pkg.dependencies ?? {}), ["@nats-io/jetstream", "@nats-io/transport-node", "hono", "postgres"]);
  for (const sub of [".", "./server", "./jetstream", "./postgres", "./caller", "./caller/register", "./testing", "./hono", "./elysia", "./express", "./fastify"]) {
    assert.ok(existsSync(new URL(pkg.exports[sub].default, root)), sub);
    assert.ok(existsSync(new URL(pkg.exports[sub].types, root)), sub);
  }
  for (const condition of ["workerd", "worker", "browser"]) assert.equal(pkg.exports["."][condition], "./dist/mod.web.js");
  assert.ok(existsSync(new URL("dist/mod.web.js", root)));
  // dist/ is built into one file per entry and shared chunks (scripts/build.mjs), so the server
  // adapters are told apart by what they do, not by their file names: the web entry, loaded on
  // Node, reaches no node: module and picks the web runtime; mod.js picks Node's
  assert.deepEqual([...graph("dist/mod.web.js").values()].flat(), [], "mod.web.js reaches no package and no node: module");
  // the registration is a call in each server entry's own file (the files package.json declares
  // side-effectful): in a chunk, an app's bundler would drop it
  for (const entry of pkg.sideEffects.filter((f) => f.startsWith("./dist/"))) {
    assert.match(readFileSync(new URL(entry, root), "utf8"), /^registerServerAdapters\(\);$/m, entry);
  }
  assert.equal((await import(new URL("dist/mod.web.js", root).href)).detectRuntime().name, "web", "the web entry reaches no server adapter");
  const lib = [...graph("dist/mod.js").values()].flat();
  assert.deepEqual(lib, [], "mod.js reaches no package and no node: module");
  const server = new Set([...graph("dist/server.js").values()].flat());
  assert.deepEqual([...server], ["hono"]);
  assert.deepEqual([...graph("dist/caller.js").values(), ...graph("dist/caller/register.js").values()].flat(), [], "sluice/caller reaches no package");
  assert.deepEqual([...graph("dist/testing.js").values()].flat(), [], "sluice/testing reaches no package");
  // the framework entries import only their framework's types: the built code reaches no package
  for (const entry of ["hono", "elysia", "express", "fastify"]) assert.deepEqual([...graph(`dist/${entry}.js`).values()].flat(), [], `sluice/${entry} reaches no package`);
  const nats = new Set([...graph("dist/jetstream.js").values()].flat());
  assert.deepEqual([...nats].sort(), ["@nats-io/jetstream", "@nats-io/transport-node"]);
  assert.deepEqual([...new Set([...graph("dist/postgres.js").values()].flat())], ["postgres"], "sluice/postgres reaches the driver and nothing else");
  const self = await import("sluice");
  assert.equal(typeof self.createLogger, "function");
  assert.equal(self.detectRuntime().name, "node");
  const collector = await import("sluice/server");
  assert.equal(typeof collector.createIngestApp, "function");
  assert.equal(typeof collector.serve, "function");
});

test("an app that bundles the installed package keeps the adapters' registration for Node and Bun (esbuild, bun build) and drops for the browser what it does not use", async () => {
  const app = mkdtempSync(join(tmpdir(), "sluice-bundle-"));
  const pkg = join(app, "node_modules", "sluice");
  mkdirSync(pkg, { recursive: true });
  for (const f of ["package.json", "dist", "mod.ts", "mod.web.ts", "api.ts", "server.ts", "lib", "adapters", "collector", "tools"]) cpSync(new URL(f, root), join(pkg, f), { recursive: true });
  writeFileSync(join(app, "app.mjs"), 'import { detectRuntime } from "sluice"; console.log(detectRuntime().name);\n');
  const bun = new URL("node_modules/.bin/bun", root).pathname;
  for (const [target, run] of [["node", process.execPath], ["bun", bun]]) {
    const out = join(app, `out-${target}.mjs`);
    const built = spawnSync(bun, ["build", "--target", target, join(app, "app.mjs"), "--outfile", out], { encoding: "utf8" });
    assert.equal(built.status, 0, built.stderr);
    assert.equal(spawnSync(run, [out], { encoding: "utf8" }).stdout.trim(), target);
  }
  const { buildSync } = await import("esbuild");
  buildSync({ entryPoints: [join(app, "app.mjs")], bundle: true, platform: "node", format: "esm", outfile: join(app, "out-esbuild.mjs"), logLevel: "silent" });
  assert.equal(spawnSync(process.execPath, [join(app, "out-esbuild.mjs")], { encoding: "utf8" }).stdout.trim(), "node", "esbuild keeps the registration");
  // for the browser, the published chunks are free of side effects to the bundler: a page that
  // uses two functions gets what it would get from the sources, not every module a chunk holds
  const use = (from) => `import { createLogger, httpSink } from ${JSON.stringify(from)}; createLogger({ sinks: [httpSink("https://example.invalid/ingest")] }).info("x");\n`;
  writeFileSync(join(app, "page.mjs"), use("sluice"));
  writeFileSync(join(app, "page_source.mjs"), use(new URL("mod.web.ts", root).pathname));
  const size = (entry) => buildSync({ entryPoints: [join(app, entry)], bundle: true, platform: "browser", format: "esm", minify: true, write: false }).outputFiles[0].contents.length;
  const [published, source] = [size("page.mjs"), size("page_source.mjs")];
  assert.ok(published <= source * 1.05, `the page's bundle from the package is ${published} bytes, from the sources ${source}`);
});
