/**
 * Finds, in a block of NDJSON lines, the lines a query's prefilter lets through: a native byte
 * search for each needle in a lower-cased copy of the block, and for each escape hatch, so a
 * rare word costs about as much as `grep -F` and no line without a needle is decoded.
 *
 * @module
 */
import { coverHatches, type LineCover, NUMBER_FORMS } from "../../lib/query/prefilter.ts";
import type { CaseFolder } from "./case_fold.ts";
import type { SearchFs } from "./search_fs.ts";

const NL = 10;
const utf8 = new TextEncoder();
const NUMERIC = new RegExp(NUMBER_FORMS.source, "g");

/**
 * The candidate lines of blocks, for one query's cover.
 *
 * @example
 * ```ts
 * import { LineCandidates } from "./line_candidates.ts";
 * import { CaseFolder } from "./case_fold.ts";
 * import { searchFs } from "./search_fs.ts";
 * import { compileQuery } from "../../lib/query/compile.ts";
 * const fs = searchFs();
 * const find = new LineCandidates(compileQuery("timeout").cover!, fs, new CaseFolder());
 * const block = new TextEncoder().encode('{"msg":"ok"}\n{"msg":"TimeOut"}\n');
 * find.lines(block, block.length); // [13, 30]: the second line's start and end
 * ```
 */
export class LineCandidates {
  readonly #needles: Uint8Array[];
  /** The escape hatches beginning with a backslash, and the non-ASCII ones. */
  readonly #escapes: Uint8Array[];
  readonly #nonAscii: Uint8Array[];
  readonly #numeric: boolean;
  readonly #fs: SearchFs;
  readonly #folder: CaseFolder;

  /**
   * @param cover The query's cover (needles and hatches).
   * @param fs Byte search and text views.
   * @param folder Lower-cases blocks.
   */
  constructor(cover: LineCover, fs: SearchFs, folder: CaseFolder) {
    this.#needles = cover.needles.map((n) => utf8.encode(n));
    const hatches = coverHatches(cover);
    this.#escapes = hatches.filter((h) => h.startsWith("\\")).map((h) => utf8.encode(h));
    this.#nonAscii = hatches.filter((h) => !h.startsWith("\\")).map((h) => utf8.encode(h));
    this.#numeric = cover.numeric;
    this.#fs = fs;
    this.#folder = folder;
  }

  /**
   * The candidate lines of `bytes[0, end)` (whole lines): their starts and ends (the newline's
   * position, or `end`), in order, as pairs in one array.
   *
   * @param bytes The block.
   * @param end Where its lines end.
   * @returns `[start0, end0, start1, end1, ...]`.
   */
  lines(bytes: Uint8Array, end: number): number[] {
    const raw = this.#fs.view(bytes.subarray(0, end));
    const folder = this.#folder;
    folder.fold(bytes, end);
    // the hatches are searched only in blocks that have their first byte
    const needles = [
      ...this.#needles,
      ...(folder.sawBackslash ? this.#escapes : []),
      ...(folder.sawNonAscii ? this.#nonAscii : []),
    ];
    const starts: number[] = [];
    let sources = 0;
    const add = (hit: number) => {
      const a = raw.lastIndexOf(NL, hit) + 1;
      starts.push(a);
      const b = raw.indexOf(NL, hit);
      return b < 0 ? end : b;
    };
    for (const needle of needles) {
      const before = starts.length;
      for (let i = folder.indexOf(needle, 0); i >= 0; i = folder.indexOf(needle, add(i) + 1));
      if (starts.length > before) sources++;
    }
    if (this.#numeric) {
      const text = this.#fs.latin1(bytes, 0, end);
      const before = starts.length;
      NUMERIC.lastIndex = 0;
      for (let m = NUMERIC.exec(text); m !== null; m = NUMERIC.exec(text)) NUMERIC.lastIndex = add(m.index) + 1;
      if (starts.length > before) sources++;
    }
    const sorted = sources > 1 ? [...new Set(starts)].sort((x, y) => x - y) : starts;
    const out: number[] = [];
    for (const a of sorted) {
      const b = raw.indexOf(NL, a);
      out.push(a, b < 0 ? end : b);
    }
    return out;
  }
}
