// The public API's documentation: every symbol the entries export has a summary and an
// @example, and the ```ts examples in the JSDoc of every module declaring one type-check and
// run with Deno (`deno test --doc`; scripts/deno_doc.json maps "sluice", "sluice/server", ...
// to this checkout). The README's examples run on three runtimes in tests/readme.test.ts.
import { expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dir, "..");
const deno = join(root, "node_modules/.bin/deno");
const config = ["--config", "scripts/deno_doc.json"];
const entries = ["mod.ts", "mod.web.ts", "server.ts", "hono.ts", "jetstream.ts", "postgres.ts", "caller.ts", "testing.ts"];

interface Declaration { name: string; file: string; doc: string; examples: number }
function publicDeclarations(): Declaration[] {
  // mod.web.ts is mod.ts's API (both export api.ts), listed once
  const r = spawnSync(deno, ["doc", "--json", ...config, ...entries.filter((e) => e !== "mod.web.ts")], { cwd: root, encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(r.stderr);
  // deno-lint-ignore no-explicit-any
  const nodes = Object.values(JSON.parse(r.stdout).nodes) as any[];
  return nodes.flatMap((node) => node.symbols.flatMap((s: any) => s.declarations.map((d: any) => ({
    name: s.name,
    file: d.location.filename.replace(`file://${root}/`, ""),
    doc: (d.jsDoc?.doc ?? "").trim(),
    examples: (d.jsDoc?.tags ?? []).filter((t: { kind: string }) => t.kind === "example").length,
  }))));
}
const declarations = publicDeclarations();

test("every public symbol has a summary and an @example", () => {
  expect(declarations.length).toBeGreaterThan(100);
  const missing = declarations.filter((d) => d.doc === "" || d.examples === 0).map((d) => `${d.name} (${d.file})`);
  expect(missing).toEqual([]);
});

test("the examples of the entries and of every module declaring a public symbol type-check and run", () => {
  const files = [...new Set([...entries, ...declarations.map((d) => d.file)])];
  expect(files.length).toBeGreaterThan(40);
  // `deno test --doc` runs each block as a test, after type-checking it (a block fenced
  // ```ts ignore needs what a test cannot have: a NATS server, a worker's file); in a fresh
  // directory, so the files the examples write land there
  const cwd = mkdtempSync(join(tmpdir(), "sluice-doc-examples-"));
  const r = spawnSync(deno, ["test", "--doc", "-A", "--config", join(root, "scripts/deno_doc.json"), ...files.map((f) => join(root, f))], {
    cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" }, timeout: 170_000,
  });
  const out = r.stdout + r.stderr;
  if (r.status !== 0) console.error(out.split("\n").filter((l) => /FAILED|ERROR|error/.test(l)).join("\n"));
  expect(r.status).toBe(0);
  const [, passed, failed] = out.match(/(\d+) passed \| (\d+) failed/) ?? [];
  expect(Number(failed)).toBe(0);
  expect(Number(passed)).toBeGreaterThan(140);
}, 180_000);
