// sluice/testing in deno test: a test file using createTestLogger, run by `deno test` in a child
// process; the passing test passes, the failing assertion fails its test with the closest record.
import { failureLines, runnerFixture } from "../scenarios/testing.mjs";

Deno.test("deno test counts a failed assertion as a failed test and prints its message", async () => {
  const file = runnerFixture({
    testing: new URL("../../testing.ts", import.meta.url).pathname,
    mod: new URL("../../mod.ts", import.meta.url).pathname,
    header: "const test = (name: string, fn: () => void) => Deno.test(name, fn);",
    ext: "ts",
  });
  const config = new URL("../../deno.json", import.meta.url).pathname;
  const out = await new Deno.Command(Deno.execPath(), { args: ["test", "-A", "--no-check", "--config", config, file], env: { NO_COLOR: "1" }, stdin: "null" }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  if (out.code !== 1) throw new Error(`expected exit 1, got ${out.code}:\n${text}`);
  if (!/1 passed \| 1 failed/.test(text)) throw new Error(`expected 1 passed | 1 failed:\n${text}`);
  for (const line of failureLines) if (!text.includes(line)) throw new Error(`missing ${JSON.stringify(line)} in:\n${text}`);
});
