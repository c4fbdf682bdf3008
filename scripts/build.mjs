// `npm run build`: dist/ for npm and for Node. tsc emits each module's JavaScript and
// declarations; then esbuild joins the JavaScript each entry reaches (package.json's exports and
// bin) into the entry's own file, with what entries share in dist/chunks/, so that every entry
// still shares one copy of sluice's state (context, exit hooks, registered serializers) with the
// others. Node then loads a handful of files instead of about ninety: importing dist/mod.js took
// 60-89 ms of a process's start, and 28-40 ms joined (bench/README.md, "eighth session").
// The declarations and the per-module JavaScript stay beside the entries (tests read a few
// modules directly); package.json's "files" publishes only the entries and chunks.
// Run: node scripts/build.mjs
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("../", import.meta.url));
const pkg = JSON.parse(readFileSync(`${root}package.json`, "utf8"));

/** Every file of dist/ that a user loads by name: an export's default, the bin, and the hooks register() loads by URL. */
function entryFiles(manifest) {
  const files = new Set(Object.values(manifest.bin ?? {}));
  for (const target of Object.values(manifest.exports)) files.add(typeof target === "string" ? target : target.default);
  files.add("./dist/caller/node_hooks.js");
  return [...files].filter((f) => f.startsWith("./dist/") && f.endsWith(".js")).sort();
}

execFileSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, "-p", "tsconfig.build.json"], { cwd: root, stdio: "inherit" });
const { metafile } = await build({
  absWorkingDir: root,
  entryPoints: entryFiles(pkg),
  outdir: "dist",
  outbase: "dist",
  allowOverwrite: true,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  // dependencies (hono, the NATS client, postgres.js, the frameworks) stay imports
  packages: "external",
  // package.json's "sideEffects" (only the entries) is for the bundlers of the apps that install
  // sluice; joined here, every module is taken as tsc emitted it
  ignoreAnnotations: true,
  chunkNames: "chunks/[name]-[hash]",
  logLevel: "warning",
  metafile: true,
});
// chunks of an earlier build are removed once this one's are written (never a moment without
// them), and so is tsc's JavaScript of a top-level module that is no entry (api.ts: the entries
// hold it), which would import modules the package does not ship
const made = new Set(Object.keys(metafile.outputs).map((f) => f.replace(/^dist\//, "")));
for (const f of readdirSync(`${root}dist/chunks`)) if (!made.has(`chunks/${f}`)) rmSync(`${root}dist/chunks/${f}`);
for (const f of readdirSync(`${root}dist`)) if (f.endsWith(".js") && !made.has(f)) rmSync(`${root}dist/${f}`);
