// A search whose client goes away stops on every runtime and gives its slot back: on Node and
// Deno (node:http) the request's signal aborts when the connection closes, as Bun's does, so one
// reader cannot hold the collector's search slots with requests it hung up on.
import { expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exited, serveRuntimes, startServe } from "./helpers/serve_process.ts";

/** A query that reads every line and checks it against 780 words no line holds: about 12 s over 200,000 records on Bun. */
const SLOW = Array.from({ length: 780 }, (_, i) => "-Q" + i.toString(36).padStart(2, "0")).join(" ");

for (const [name, cmd] of serveRuntimes) {
  test(`on ${name}: a search whose client hung up gives its slot back within 2 s; the next search is answered`, async () => {
    const dir = mkdtempSync(join(tmpdir(), "sluice-gone-"));
    const s = await startServe(cmd, dir, ["--no-auth", "--max-concurrent-searches", "1", "--rate-limit", "10000000"]);
    try {
      const body = Array.from({ length: 1000 }, (_, i) => JSON.stringify({ msg: `record ${i} of a batch`, i })).join("\n") + "\n";
      for (let b = 0; b < 200; b++) {
        const r = await fetch(`${s.url}/ingest`, { method: "POST", headers: { "content-type": "application/x-ndjson" }, body });
        expect(r.status).toBe(200);
      }
      const search = (q: string, signal?: AbortSignal) => fetch(`${s.url}/api/search?from=2000-01-01&limit=10&q=${encodeURIComponent(q)}`, { signal });
      const gone = new AbortController();
      const slow = search(SLOW, gone.signal).catch(() => undefined);
      // the slow search holds the one slot: a cheap one is refused
      let busy = 0;
      for (let t = Date.now(); Date.now() - t < 5000 && busy === 0; await Bun.sleep(50)) if ((await search("record")).status === 503) busy++;
      expect(busy).toBe(1);
      gone.abort();
      await slow;
      const hungUp = Date.now();
      let answered = 0;
      while (Date.now() - hungUp < 2000 && answered === 0) {
        const r = await search("record");
        if (r.status === 200) answered = (await r.text()).trim().split("\n").length;
        else await Bun.sleep(50);
      }
      expect(answered).toBe(10);
    } finally {
      s.proc.kill("SIGTERM");
      await exited(s.proc);
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
}
