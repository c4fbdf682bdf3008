// The three runtimes a fixture script runs on in a child process: its command line on each, and
// the entry it imports (MOD): the sources on Bun and Deno, the built dist/ on Node.
import { join } from "node:path";

const root = new URL("../..", import.meta.url).pathname;
const bin = join(root, "node_modules/.bin");

/**
 * `[runtime, command line, entry]` for running `fixture` on Bun, Deno and Node.
 *
 * @example
 * ```ts
 * import { fixtureRuntimes } from "./helpers/fixture_runtimes.ts";
 * for (const [name, [cmd, ...args], mod] of fixtureRuntimes("tests/fixtures/short_write.mjs")) spawnSync(cmd, args, { env: { ...process.env, MOD: mod } });
 * ```
 */
export function fixtureRuntimes(fixture: string): [name: string, cmd: string[], mod: string][] {
  const path = join(root, fixture);
  return [
    ["bun", [join(bin, "bun"), path], join(root, "mod.ts")],
    ["deno", [join(bin, "deno"), "run", "-A", "--config", join(root, "deno.json"), path], join(root, "mod.ts")],
    ["node", [process.execPath.includes("bun") ? "node" : process.execPath, path], join(root, "dist/mod.js")],
  ];
}
