// Levels per category on Deno: the shared scenarios, and SLUICE_LEVEL from the environment:
// read with --allow-env, ignored (no prompt, no error) without it.
import * as sluice from "../../mod.ts";
import { envScript, expectedLevels, levelScenarios } from "../scenarios/levels.mjs";

function same(actual: unknown, expected: unknown) {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) throw new Error(`expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

Deno.test("levels, children, setLevels and a malformed spec", () => {
  same(levelScenarios(sluice), expectedLevels);
});

Deno.test("SLUICE_LEVEL is read with --allow-env and ignored without it", async () => {
  const script = envScript(new URL("../../mod.ts", import.meta.url).pathname);
  const config = new URL("../../deno.json", import.meta.url).pathname;
  const run = async (...flags: string[]) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--config", config, "--no-prompt", "--allow-read", ...flags, script],
      env: { SLUICE_LEVEL: "error,db=trace" },
      stdin: "null",
    }).output();
    const err = new TextDecoder().decode(out.stderr);
    if (!out.success) throw new Error(err);
    return new TextDecoder().decode(out.stdout).trim();
  };
  same(await run("--allow-env=SLUICE_LEVEL"), "error trace");
  same(await run(), "info info");
  same(await run("--deny-env"), "info info");
});
