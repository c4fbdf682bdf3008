// `deno doc --lint` over the package's entries, as npm test runs it: every public symbol has a
// doc comment, and every type that appears in a public signature is exported. A type the
// referring file imports from a package (Hono's, the NATS client's) is that package's to
// document and export, so a private-type-ref to it is not counted; every other one is.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

const root = new URL("../", import.meta.url).pathname;
const entries = ["mod.ts", "mod.web.ts", "server.ts", "hono.ts", "jetstream.ts", "postgres.ts", "caller.ts", "testing.ts", "elysia.ts", "express.ts", "fastify.ts"];
const r = spawnSync(`${root}node_modules/.bin/deno`, ["doc", "--lint", ...entries], { cwd: root, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
const out = `${r.stdout ?? ""}${r.stderr ?? ""}`;
const blocks = out.split(/\n(?=error\[)/).filter((b) => b.startsWith("error["));
if (r.status !== 0 && blocks.length === 0) {
  console.error(out);
  process.exit(1);
}
/** Whether `file` imports `name` from a package (a bare specifier), not from this repository. */
const fromPackage = (file, name) =>
  new RegExp(`import\\s+(?:type\\s+)?\\{[^}]*\\b${name}\\b[^}]*\\}\\s*from\\s*["'][^./"']`).test(readFileSync(file, "utf8"));
const counted = blocks.filter((b) => {
  const m = b.match(/references private type '([\w$]+)'\n\s*--> (.+?):\d+:\d+/);
  return !(m && fromPackage(m[2], m[1]));
});
for (const b of counted) console.log(b.trim() + "\n");
console.log(`doc lint: ${counted.length} problem(s) in ${entries.join(", ")}; ${blocks.length - counted.length} reference(s) to a package's own types not counted`);
process.exit(counted.length > 0 ? 1 : 0);
