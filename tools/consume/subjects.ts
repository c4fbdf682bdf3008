/**
 * NATS subject filters as `sluice consume` uses them: whether two filters can match one
 * subject, so consumers that share a directory never write the same file.
 *
 * @module
 */

/**
 * True when some subject matches both filters (`*` is one token, `>` one or more at the end).
 *
 * @param a A subject filter, such as `sluice.logs.http.>`.
 * @param b Another.
 * @returns Whether they overlap.
 * @example
 * ```ts
 * import { filtersOverlap } from "./subjects.ts";
 * filtersOverlap("sluice.logs.http.>", "sluice.logs.*.db"); // true (sluice.logs.http.db)
 * filtersOverlap("sluice.logs.http.>", "sluice.logs.db");   // false
 * ```
 */
export function filtersOverlap(a: string, b: string): boolean {
  const x = a.split(".");
  const y = b.split(".");
  for (let i = 0; ; i++) {
    if (i === x.length || i === y.length) return x.length === y.length;
    if (x[i] === ">" || y[i] === ">") return true;
    if (x[i] !== y[i] && x[i] !== "*" && y[i] !== "*") return false;
  }
}

/**
 * Checks a list of subject filters given on the command line: each a valid NATS filter
 * (non-empty tokens, `>` only last), within the stream's prefix, and no two overlapping.
 *
 * @param filters The filters.
 * @param prefix The stream's subject without its trailing `.>`, such as `sluice.logs`.
 * @returns The filters; throws a one-line `TypeError` naming the bad one.
 * @example
 * ```ts
 * import { checkFilters } from "./subjects.ts";
 * checkFilters(["sluice.logs.http.>"], ["sluice.logs.>"]); // ["sluice.logs.http.>"]
 * ```
 */
export function checkFilters(filters: readonly string[], streamSubjects: readonly string[]): string[] {
  const out: string[] = [];
  for (const f of filters) {
    const tokens = f.split(".");
    const valid = tokens.every((t, i) => t !== "" && !/\s/.test(t) && (t !== ">" || i === tokens.length - 1) && (!/[*>]/.test(t) || t.length === 1));
    if (!valid) throw new TypeError(`sluice consume: --subjects ${JSON.stringify(f)} is not a NATS subject filter (dot-separated tokens; * for one token, > for the rest)`);
    if (!streamSubjects.some((s) => filtersOverlap(f, s))) throw new TypeError(`sluice consume: --subjects ${JSON.stringify(f)} is outside the stream's subjects ${streamSubjects.join(",")}`);
    const clash = out.find((o) => filtersOverlap(o, f));
    if (clash !== undefined) throw new TypeError(`sluice consume: --subjects ${JSON.stringify(clash)} and ${JSON.stringify(f)} overlap; give each subject once`);
    out.push(f);
  }
  return out;
}
