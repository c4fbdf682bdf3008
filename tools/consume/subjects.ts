/**
 * NATS subject filters as `sluice consume` uses them: whether two filters can match one
 * subject, so consumers that share a directory never write the same file.
 *
 * @module
 */
import { categorySubject } from "../../jetstream/message.ts";

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

/**
 * A check that a message's records belong on its subject: the subject of each record's category
 * under the stream's prefix (`sluice.logs.<category>`) must be the message's own. Consumers split
 * by subject rely on it: a record of category `db` sent on `sluice.logs.http` would otherwise
 * be written to `db.ndjson` by the `http` consumer, beside the `db` consumer's own writes, each
 * with a journal of its own. What the collectors and `jetstreamSink` publish always belongs; a
 * message on a subject outside the stream's `<prefix>.>` subjects is not checked.
 *
 * @param streamSubjects The stream's subjects.
 * @returns `(subject, categories) => reason | undefined`.
 * @example
 * ```ts
 * import { subjectCheck } from "./subjects.ts";
 * const check = subjectCheck(["sluice.logs.>"]);
 * check("sluice.logs.http", ["http"]); // undefined
 * check("sluice.logs.http", ["db"]);   // 'a record of category "db" belongs on sluice.logs.db, not on sluice.logs.http ...'
 * ```
 */
export function subjectCheck(streamSubjects: readonly string[]): (subject: string, categories: Iterable<string | undefined>) => string | undefined {
  const prefixes = streamSubjects.filter((s) => s.endsWith(".>")).map((s) => s.slice(0, -2));
  return (subject, categories) => {
    const prefix = prefixes.find((p) => subject.startsWith(p + "."));
    if (prefix === undefined) return undefined;
    for (const c of categories) {
      const own = categorySubject(prefix, c);
      if (own !== subject) return `a record of category ${JSON.stringify(c ?? "")} belongs on ${own}, not on ${subject} (a message carries its subject's category only, so consumers split by subject never write one file)`;
    }
    return undefined;
  };
}
