// Every ```ts block of the README runs as written, on Bun, Deno and Node: each block is written
// to a file in a fresh directory (its imports of "sluice", "sluice/server", "sluice/hono" and the other
// framework entries, and of the frameworks themselves, pointed at this checkout) and run there; it must
// exit 0. A block that is a fragment (it needs a worker, a socket, a platform's `env`) says so in its
// fence: ```ts no-run.
import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("../", import.meta.url).pathname;
const readme = readFileSync(join(root, "README.md"), "utf8");
const blocks = [...readme.matchAll(/^```(ts[^\n]*)\n([\s\S]*?)^```$/gm)]
  .map((m) => ({ info: m[1].trim(), code: m[2], line: readme.slice(0, m.index).split("\n").length }))
  .filter((b) => !b.info.split(/\s+/).includes("no-run"));
const bin = (name: string) => join(root, "node_modules/.bin", name);
const frameworks = { hono: import.meta.resolve("hono"), elysia: import.meta.resolve("elysia"), express: import.meta.resolve("express"), fastify: import.meta.resolve("fastify") };

const runtimes = {
  bun: { ext: "ts", entry: (m: string) => `${root}${m}.ts`, cmd: (f: string) => [bin("bun"), f] },
  deno: { ext: "ts", entry: (m: string) => `${root}${m}.ts`, cmd: (f: string) => [bin("deno"), "run", "-A", "--config", `${root}deno.json`, f] },
  node: { ext: "mjs", entry: (m: string) => `${root}dist/${m}.js`, cmd: (f: string) => [process.execPath, f] },
} as const;
const transpiler = new Bun.Transpiler({ loader: "ts" });

test("the README has runnable blocks (the Quick start among them)", () => {
  expect(blocks.length).toBeGreaterThanOrEqual(3);
  expect(blocks[0].code).toContain("createLogger");
});

for (const [name, rt] of Object.entries(runtimes)) {
  describe(`README on ${name}`, () => {
    for (const block of blocks) {
      test(`the block at README.md:${block.line} runs`, () => {
        const dir = mkdtempSync(join(tmpdir(), `sluice-readme-${name}-`));
        let code = block.code
          .replace(/from "sluice\/server"/g, `from "${rt.entry("server")}"`)
          .replace(/from "sluice\/(hono|elysia|express|fastify)"/g, (_, entry) => `from "${rt.entry(entry)}"`)
          .replace(/from "sluice\/caller"/g, `from "${rt.entry("caller")}"`)
          .replace(/from "sluice\/testing"/g, `from "${rt.entry("testing")}"`)
          .replace(/from "sluice"/g, `from "${rt.entry("mod")}"`)
          .replace(/from "(hono|elysia|express|fastify)"/g, (_, pkg) => `from "${frameworks[pkg as keyof typeof frameworks]}"`);
        if (name === "node") code = transpiler.transformSync(code);
        const file = join(dir, `block.${rt.ext}`);
        writeFileSync(file, code);
        const [cmd, ...args] = rt.cmd(file);
        const r = spawnSync(cmd, args, { cwd: dir, encoding: "utf8", timeout: 30_000, env: { ...process.env, NO_COLOR: "1" } });
        if (r.status !== 0) console.error(r.stderr);
        expect(r.status).toBe(0);
        if (block.line === blocks[0].line) {
          // the Quick start: both records in the file, and the stats line as the README shows it
          expect(readFileSync(join(dir, "logs/app.ndjson"), "utf8").trim().split("\n").length).toBe(2);
          expect(r.stdout.replace(/\s+/g, " ")).toContain('logged: 2, written: 4, dropped: {}, sinks: [ "file:./logs/app.ndjson: 2", "console: 2" ]');
        }
      }, 40_000);
    }
  });
}
