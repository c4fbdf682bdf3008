// A file driver counts what it wrote in bytes, on Bun, Deno and Node: under a real file size
// limit (RLIMIT_FSIZE) the kernel writes part of a line whose UTF-8 is longer than its UTF-16
// units; the part is cut off again and the record counted as lost, never kept as a torn line.
import { afterAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fixtureRuntimes } from "./helpers/fixture_runtimes.ts";

const work = mkdtempSync(join(tmpdir(), "sluice-short-write-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const runtimes = fixtureRuntimes("tests/fixtures/short_write.mjs");

describe("a short write of text", () => {
  for (const [name, cmd, mod] of runtimes) {
    test(`${name}: a line of 1,024 units and 1,536 bytes past a 1,024-byte limit is cut off again and counted lost, not kept torn`, () => {
      const out = join(work, `${name}.ndjson`);
      // SIGXFSZ ignored (as a shell's trap passes on to exec), so a write past the limit is short or EFBIG
      const r = spawnSync("bash", ["-c", `trap '' XFSZ; ulimit -f 1; exec ${cmd.map((a) => `'${a}'`).join(" ")}`], {
        encoding: "utf8", env: { ...process.env, MOD: mod, OUT: out }, timeout: 60_000,
      });
      expect(r.status, r.stderr).toBe(0);
      const { written, dropped, errors } = JSON.parse(r.stdout.trim());
      expect({ written, dropped }).toEqual({ written: 0, dropped: { "sink-error": 1 } });
      expect(errors).toBeGreaterThan(0);
      expect(readFileSync(out).length).toBe(0);
    });
  }
});
