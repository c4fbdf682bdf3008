// Records numbered `i` over three categories, and what of them is on disk: shared by the
// collector's failing-disk suites.
import { expect } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** `n` NDJSON records numbered from `from`, over categories a, b and c, each padded by `pad` bytes. */
export function recordBatch(from: number, n: number, pad = 0): string {
  return Array.from({ length: n }, (_, k) => JSON.stringify({ msg: "r", i: from + k, category: ["a", "b", "c"][(from + k) % 3], pad: "x".repeat(pad) })).join("\n") + "\n";
}

/** A file's text once it ends with a whole line: a writer's append may be read while it is made, so one that ends mid-line is read again, for up to a second. */
function wholeText(path: string): string {
  let text = readFileSync(path, "utf8");
  for (let tries = 0; text !== "" && !text.endsWith("\n") && tries < 100; tries++) {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    text = readFileSync(path, "utf8");
  }
  return text;
}

/**
 * The `i` of every producer record in `dir`'s log files, sorted (the collector's own records
 * left out); asserts every file ends with a whole line (a torn line that stays, not an append
 * read while it is made) and each record is in its category's file.
 */
export function recordsOnDisk(dir: string): number[] {
  const seen: number[] = [];
  for (const name of readdirSync(dir).filter((n) => n.endsWith(".ndjson"))) {
    const text = wholeText(join(dir, name));
    expect(text === "" || text.endsWith("\n")).toBe(true);
    for (const line of text.split("\n").filter(Boolean)) {
      const r = JSON.parse(line); // throws on a torn or glued line
      if (r.producer === "sluice") continue;
      expect(name).toBe(`${r.category}.ndjson`);
      seen.push(r.i);
    }
  }
  return seen.sort((a, b) => a - b);
}
