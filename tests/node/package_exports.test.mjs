// The npm package as a user installs it: the "sluice" name resolves to the built output with types.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";

const root = new URL("../../", import.meta.url);

test("package.json exports point at files that exist, and the library has no runtime dependencies", async () => {
  const pkg = JSON.parse(readFileSync(new URL("package.json", root), "utf8"));
  assert.equal(pkg.name, "sluice");
  assert.equal(pkg.dependencies, undefined);
  const entry = pkg.exports["."];
  assert.ok(existsSync(new URL(entry.default, root)));
  assert.ok(existsSync(new URL(entry.types, root)));
  const self = await import("sluice");
  assert.equal(typeof self.createLogger, "function");
  assert.equal(typeof self.fileSink, "function");
});
