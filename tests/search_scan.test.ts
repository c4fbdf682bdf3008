// The byte-level scan under search: the SIMD case folding and needle search agree with plain
// JavaScript (and with toLowerCase/indexOf) on seeded random blocks, at every alignment; the
// candidate lines of a block are exactly the lines holding a needle or an escape hatch.
import { expect, test } from "bun:test";
import { CaseFolder } from "../collector/search/case_fold.ts";
import { LineCandidates } from "../collector/search/line_candidates.ts";
import { searchFs } from "../collector/search/search_fs.ts";
import { compileQuery } from "../lib/query/compile.ts";
import { rng } from "./helpers/seeded_random.ts";

const latin1 = (b: Uint8Array) => Array.from(b, (x) => String.fromCharCode(x)).join("");

test("SIMD folding and search give what toLowerCase and indexOf give, and what the JavaScript loop gives", () => {
  const rand = rng(5);
  const simd = new CaseFolder(), js = new CaseFolder(false);
  expect(simd.simd).toBe(true);
  expect(js.simd).toBe(false);
  const alphabet = "aAzZ@[`{\\u\n\"0123456789éİK".split("").flatMap((c) => [...new TextEncoder().encode(c)]);
  for (let round = 0; round < 300; round++) {
    const n = Math.floor(rand() * 300);
    const block = Uint8Array.from({ length: n }, () => alphabet[Math.floor(rand() * alphabet.length)]);
    const want = latin1(block).replace(/[A-Z]/g, (c) => c.toLowerCase());
    for (const f of [simd, js]) {
      expect(latin1(f.fold(block, n))).toBe(want);
      expect(f.sawBackslash).toBe(block.includes(0x5c));
      expect(f.sawNonAscii).toBe(block.some((b) => b >= 0x80));
      for (const needle of ["a", "az", "za", "\\u", "aza", "0123", "\u00e9"]) {
        const bytes = new TextEncoder().encode(needle);
        const text = latin1(bytes);
        for (const from of [0, 1, 15, 16, 17, Math.floor(n / 2)]) expect(f.indexOf(bytes, from)).toBe(want.indexOf(text, from) >= from ? want.indexOf(text, from) : -1);
      }
    }
  }
});

test("candidate lines: those with a needle in any case, or an escape hatch; nothing else", () => {
  const fs = searchFs();
  const lines = [
    '{"msg":"nothing here"}',
    '{"msg":"a TimeOut"}',
    '{"msg":"\\u0074imeout"}',
    '{"msg":"plain"}',
    '{"msg":"\u212Aelvin"}',
    '{"msg":"timeout","again":"timeout"}',
    '{"route":"\\/api"}',
  ];
  const block = fs.alloc(4096);
  const text = lines.join("\n");
  const n = block.length >= text.length ? new TextEncoder().encodeInto(text, block).written : 0;
  const starts = (q: string) => {
    const found = new LineCandidates(compileQuery(q).cover!, fs, new CaseFolder()).lines(block, n);
    const out: number[] = [];
    for (let i = 0; i < found.length; i += 2) out.push(fs.utf8(block, found[i], found[i + 1]).length > 0 ? lines.indexOf(fs.utf8(block, found[i], found[i + 1])) : -1);
    return out;
  };
  expect(starts("timeout")).toEqual([1, 2, 5]);
  expect(starts("kelvin")).toEqual([2, 4]); // a \u escape may hide it, and K is k in lower case
  expect(starts("route:/api*")).toEqual([2, 6]);
  expect(starts("zzz OR plain")).toEqual([2, 3]);
});
