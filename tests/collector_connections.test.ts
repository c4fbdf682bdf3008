// An answer sent before the body was read whole (413, 401, ...) closes its connection cleanly,
// so a client that reuses connections (fetch's keep-alive pool on Bun, Deno and Node's undici)
// never sees a reset on its next request. Every client runtime against a real `sluice serve`
// on every runtime.
import { afterAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ServeProcess, serveRuntimes, startServe } from "./helpers/serve_process.ts";

const running: ServeProcess[] = [];
afterAll(() => { for (const s of running) s.proc.kill("SIGTERM"); });
const client = new URL("./helpers/early_answer_client.mjs", import.meta.url).pathname;
const clients: [string, string[]][] = serveRuntimes.map(([name, cmd]) => [name, name === "deno" ? cmd.slice(0, 3) : [cmd[0]]]);

for (const [name, cmd] of serveRuntimes) {
  describe(`early answers on ${name}`, () => {
    test("a chunked upload answered 413 and an upload answered 401 carry Connection: close; the next request on the same client is a 200, from fetch on Bun, Deno and Node", async () => {
      const dir = mkdtempSync(join(tmpdir(), `sluice-conn-${name}-`));
      writeFileSync(join(dir, "tokens"), "a:token-a\n");
      const s = await startServe(cmd, join(dir, "logs"), ["--tokens", join(dir, "tokens"), "--max-body-bytes", "300000"]);
      running.push(s);
      const expected = [
        ["normal", 200],
        ["chunked upload past --max-body-bytes", 413, "close"],
        ["next", 200],
        ["upload with a wrong token", 401, "close"],
        ["next", 200],
      ];
      for (const [clientName, run] of clients) {
        const r = spawnSync(run[0], [...run.slice(1), client, s.url, "token-a"], { encoding: "utf8", timeout: 30_000 });
        const steps: [string, number | string, string | null][] = JSON.parse(r.stdout.trim() || "[]");
        expect({ client: clientName, steps: steps.map(([step, status, conn]) => (status === 200 ? [step, status] : [step, status, conn])) })
          .toEqual({ client: clientName, steps: [...expected, ...expected] });
      }
      s.proc.kill("SIGTERM");
    }, 90_000);
  });
}
