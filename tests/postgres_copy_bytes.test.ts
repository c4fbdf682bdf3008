// COPY rows made from the bytes of a body taken as sent (postgres/copy_bytes.ts) are byte for byte
// the rows copyRow makes from its records, under a seeded fuzz of bodies in sluice's own form:
// times and messages repeated or not; messages, categories, producers and fields with escapes, backslashes, tabs, non-ASCII, \u0000
// and lone surrogates (which jsonb refuses); and when lines and records do not pair up.
import { expect, test } from "bun:test";
import { parseNdjson } from "../lib/format/ndjson_decode.ts";
import { createRecord } from "../lib/record.ts";
import { serializeObject } from "../lib/serialize.ts";
import type { LevelName } from "../lib/levels.ts";
import { CopyBuffer } from "../postgres/copy_buffer.ts";
import { copyBytesAsSent } from "../postgres/copy_bytes.ts";
import { copyRow } from "../postgres/rows.ts";
import { rng } from "./helpers/seeded_random.ts";

const utf8 = new TextEncoder();
const PIECES = ["a", "Zz", " ", "\\", '"', "\t", "\n", "\r", "é", "日本", "😀", "\u0000", "\ud800", "\udfff", "\\u0041", "/", "\\N", "{}", ","];
const LEVELS: LevelName[] = ["trace", "debug", "info", "warn", "error", "fatal"];

function text(random: () => number, max: number): string {
  let s = "";
  for (let n = Math.floor(random() * max); n > 0; n--) s += PIECES[Math.floor(random() * PIECES.length)];
  return s;
}

/** A body of `n` lines in sluice's own form, one category; some lines with a raw tab as JSON whitespace after the message. */
function body(random: () => number, n: number): string {
  const category = random() < 0.3 ? undefined : text(random, 4) || "c";
  const lines: string[] = [];
  // half the records repeat the last one's time or message, as records of one batch do
  let time = Date.UTC(2026, 0, 1), msg = "";
  for (let i = 0; i < n; i++) {
    const fields = serializeObject({ i, s: text(random, 6), [text(random, 3) || "k"]: random() < 0.5 ? text(random, 4) : random() * 1e6 });
    if (random() < 0.5) time = Date.UTC(2026, 0, 1) + Math.floor(random() * 1e9);
    if (random() < 0.5) msg = text(random, 8);
    let line = createRecord(time, LEVELS[Math.floor(random() * 6)], category, msg, fields === "{}" ? "}" : "," + fields.slice(1)).json;
    if (random() < 0.1 && line.includes(',"i":')) line = line.replace(',"i":', ',\t"i":');
    lines.push(line);
  }
  return lines.join("\n") + (random() < 0.5 ? "\n" : "");
}

test("fuzz: the rows from the bytes are the rows copyRow makes, 300 bodies", () => {
  const random = rng(20);
  let asSent = 0;
  for (let k = 0; k < 300; k++) {
    const producer = text(random, 3) || "edge-1";
    const t = body(random, 1 + Math.floor(random() * 40));
    const parsed = parseNdjson(t, producer, 1 << 20);
    expect(parsed.rejected, t).toBe(0);
    if (parsed.asSent === undefined) continue;
    asSent++;
    const expected = utf8.encode(parsed.records.map((r) => copyRow(r)).join(""));
    // into a new buffer, or appended to a small one that holds other rows already and must grow
    const into = random() < 0.5 ? undefined : new CopyBuffer(1 + Math.floor(random() * 64));
    const before = text(random, 10);
    into?.text(before);
    const got = copyBytesAsSent(parsed.records, utf8.encode(t), producer, into);
    expect(got).toEqual(expected);
    if (into !== undefined) expect(into.view()).toEqual(new Uint8Array([...utf8.encode(before), ...expected]));
  }
  // most bodies are taken as sent (a line with a raw tab is too); the rest proves nothing here
  expect(asSent).toBeGreaterThan(200);
});

test("lines and records that do not pair up: the rows are made from the records", () => {
  const random = rng(7);
  const t = body(random, 5);
  const parsed = parseNdjson(t, "edge", 1 << 20);
  const expected = utf8.encode(parsed.records.map((r) => copyRow(r)).join(""));
  // a body with a line more, and one with a line less, than the records
  expect(copyBytesAsSent(parsed.records, utf8.encode(t.trimEnd() + "\n" + t), "edge")).toEqual(expected);
  expect(copyBytesAsSent(parsed.records, utf8.encode(t.split("\n").slice(0, 3).join("\n")), "edge")).toEqual(expected);
  // appended to a buffer with rows in it: the rows written before the mismatch was found are replaced
  const into = new CopyBuffer(4);
  into.text("kept\n");
  expect(copyBytesAsSent(parsed.records, utf8.encode(t.trimEnd() + "\n" + t), "edge", into)).toEqual(expected);
  expect(into.view()).toEqual(new Uint8Array([...utf8.encode("kept\n"), ...expected]));
});
