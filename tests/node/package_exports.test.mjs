// The npm package as a user installs it: "sluice" and "sluice/server" resolve to the built
// output with types; the library itself depends on nothing, the collector on hono alone.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";

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

test("package.json exports point at built files; the library imports no package, the collector only hono", async () => {
  const pkg = JSON.parse(readFileSync(new URL("package.json", root), "utf8"));
  assert.equal(pkg.name, "sluice");
  assert.deepEqual(Object.keys(pkg.dependencies ?? {}), ["hono"]);
  for (const sub of [".", "./server"]) {
    assert.ok(existsSync(new URL(pkg.exports[sub].default, root)), sub);
    assert.ok(existsSync(new URL(pkg.exports[sub].types, root)), sub);
  }
  for (const condition of ["workerd", "worker", "browser"]) assert.equal(pkg.exports["."][condition], "./dist/mod.web.js");
  assert.ok(existsSync(new URL("dist/mod.web.js", root)));
  const web = [...graph("dist/mod.web.js").keys()];
  assert.ok(!web.some((f) => /adapters\/(bun|deno|node|fs_ops|process_hooks)\.js$/.test(f)), "the web entry reaches no server adapter");
  assert.ok([...graph("dist/mod.js").keys()].some((f) => f.endsWith("adapters/server_runtimes.js")));
  const lib = [...graph("dist/mod.js").values()].flat();
  assert.deepEqual(lib, [], "mod.js reaches no package and no node: module");
  const server = new Set([...graph("dist/server.js").values()].flat());
  assert.deepEqual([...server], ["hono"]);
  const self = await import("sluice");
  assert.equal(typeof self.createLogger, "function");
  const collector = await import("sluice/server");
  assert.equal(typeof collector.createIngestApp, "function");
  assert.equal(typeof collector.serve, "function");
});
