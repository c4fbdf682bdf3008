// sluice/caller end to end: an app logging with caller: true (tests/fixtures/caller_app.mjs,
// stack captures off) run transformed three ways — bundled by Bun.build with callerPlugin, loaded
// through a Bun.plugin preload, and on Node with `node --import sluice/caller/register` (from the
// built package) — names each log call's exact line; a non-logger `.info(` gets its own arguments;
// a nested call and a call whose arguments throw are handled; the Node hook takes CommonJS too.
import { expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { callerPlugin } from "../caller.ts";

const root = new URL("../", import.meta.url).pathname;
const app = join(root, "tests/fixtures/caller_app.mjs");
const bun = join(root, "node_modules/.bin/bun");
const lines = readFileSync(app, "utf8").split("\n");
const lineOf = (text: string) => lines.findIndex((l) => l.includes(text)) + 1;

function expectRecords(out: { status: number | null; stdout: string; stderr: string }) {
  if (out.status !== 0) console.error(out.stderr);
  expect(out.status).toBe(0);
  const { records, calls } = JSON.parse(out.stdout.trim().split("\n").at(-1)!);
  const callerOf = Object.fromEntries(records.map((r: { msg: string; caller: string }) => [r.msg, r.caller]));
  expect(callerOf).toEqual({
    first: `caller_app.mjs:${lineOf('"first"')}`,
    second: `caller_app.mjs:${lineOf('"second"')}`,
    inner: `caller_app.mjs:${lineOf('"inner"')}`,
    outer: `caller_app.mjs:${lineOf('"outer"')}`,
    child: `caller_app.mjs:${lineOf('"child"')}`,
  });
  expect(calls).toEqual([2]); // the non-logger's .info got its two arguments, no more
}

test("Bun.build with callerPlugin: the bundle's records name the app's lines", async () => {
  const dir = mkdtempSync(join(tmpdir(), "sluice-caller-build-"));
  const built = await Bun.build({ entrypoints: [app], outdir: dir, target: "bun", plugins: [callerPlugin()] });
  expect(built.success).toBe(true);
  const bundle = readFileSync(built.outputs[0]!.path, "utf8");
  expect(bundle).toContain("__sluiceArm");
  expectRecords(spawnSync(bun, [built.outputs[0]!.path, join(root, "mod.ts")], { encoding: "utf8" }));
});

test("a Bun.plugin preload: the app's records name its lines; untransformed, they would be unknown", () => {
  const dir = mkdtempSync(join(tmpdir(), "sluice-caller-preload-"));
  const preload = join(dir, "preload.ts");
  writeFileSync(preload, `import { callerPlugin } from "${root}caller.ts";\nBun.plugin(callerPlugin({ filter: /caller_app\\.mjs$/ }));\n`);
  expectRecords(spawnSync(bun, ["--preload", preload, app, join(root, "mod.ts")], { encoding: "utf8" }));
  const plain = spawnSync(bun, [app, join(root, "mod.ts")], { encoding: "utf8" });
  const { records } = JSON.parse(plain.stdout.trim());
  expect(records.map((r: { caller: string }) => r.caller)).toEqual(records.map(() => "unknown"));
});

test("node --import sluice/caller/register (the built package): the app's records name its lines", () => {
  const out = spawnSync("node", ["--import", join(root, "dist/caller/register.js"), app, join(root, "dist/mod.js")], { encoding: "utf8" });
  expectRecords(out);
});

test("node --import sluice/caller/register transforms CommonJS files too (require and __filename still work)", () => {
  const dir = mkdtempSync(join(tmpdir(), "sluice-caller-cjs-"));
  const file = join(dir, "app.cjs");
  writeFileSync(file, [
    'const { basename } = require("node:path");',
    "const slot = (globalThis[Symbol.for(\"sluice.caller\")] ??= {});",
    "const log = { info(...args) { console.log(JSON.stringify({ args, at: slot.a, mine: slot.t === log, file: basename(__filename) })); } };",
    'log.info("x", 1);',
  ].join("\n"));
  const out = spawnSync("node", ["--import", join(root, "dist/caller/register.js"), file], { encoding: "utf8" });
  expect(out.stderr).toBe("");
  expect(JSON.parse(out.stdout)).toEqual({ args: ["x", 1], at: '"app.cjs:4"', mine: true, file: "app.cjs" });
});
