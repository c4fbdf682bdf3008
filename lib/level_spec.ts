/**
 * Levels per category: a spec such as `"info,db=debug,http.*=warn,-noisy"` (the `levels` option,
 * `SLUICE_LEVEL`, `log.setLevels`) parsed once into rules, and the level each category gets.
 *
 * @module
 */
import { isLevelThreshold, type LevelThreshold, levelValue } from "./levels.ts";

/**
 * A parsed levels spec: the level it gives each category.
 *
 * @example
 * ```ts
 * import { parseLevels } from "./level_spec.ts";
 * const levels = parseLevels("info,db=debug,http.*=warn,-noisy");
 * levels.levelOf("db.pool"); // "debug"
 * levels.levelOf("noisy");   // "silent"
 * levels.levelOf("api");     // "info": no pattern names it, the default level
 * parseLevels("db=debug").levelOf("api"); // undefined: the logger's `level` option decides
 * ```
 */
export interface LevelSpec {
  /** The spec's text. */
  readonly spec: string;
  /**
   * The level of the most specific pattern that names `category` (a logger without one is
   * `""`), else the spec's default level (its part without `=`), else `undefined`.
   */
  levelOf(category?: string): LevelThreshold | undefined;
}

/** How many categories' answers a spec keeps; past it the cache starts over. */
const CACHE_MAX = 1000;

/**
 * Parses a levels spec. Parts are separated by commas or white space:
 * - `info`: the default level, for every category no pattern names (at most one);
 * - `db=debug`: category `db` and its descendants (`db.pool`) at debug;
 * - `http.*=warn`: `*` stands for any run of characters, dots included;
 * - `-noisy` is `noisy=silent`, and a bare `app.*` is `app.*=debug` (the `DEBUG=app:*,-app:x` habit).
 *
 * The most specific pattern wins: the one with the most characters besides `*`, then a pattern
 * without `*`, then the later part. Level names are case-insensitive; patterns are not.
 *
 * @param spec The spec.
 * @param source What the spec came from, for error messages.
 * @returns The parsed spec; a malformed part throws a `TypeError` that quotes the spec and the
 *   part, and a spec that is not text a `TypeError` too.
 * @example
 * ```ts
 * import { parseLevels } from "./level_spec.ts";
 * parseLevels("app.*,-app.secret").levelOf("app.secret"); // "silent"
 * try {
 *   parseLevels("db=verbose");
 * } catch (err) {
 *   console.log((err as Error).message); // sluice: levels "db=verbose", part "db=verbose": unknown level "verbose"; …
 * }
 * ```
 */
export function parseLevels(spec: string, source = "levels"): LevelSpec {
  const rules: { match: (category: string) => boolean; level: LevelThreshold; rank: number }[] = [];
  const cache = new Map<string, LevelThreshold | undefined>();
  let base: LevelThreshold | undefined;
  if (typeof spec !== "string") throw new TypeError(`sluice: ${source} takes a spec such as "info,db=debug" (or what parseLevels returns), got ${typeof spec}`);
  for (const part of spec.split(/[\s,]+/)) {
    const fail = (why: string) => new TypeError(`sluice: ${source} ${JSON.stringify(spec)}, part ${JSON.stringify(part)}: ${why}`);
    const [pattern, word, extra] = part.split("=");
    const name = pattern.replace(/^-/, "");
    const level = (word ?? (name === pattern ? "debug" : "silent")).toLowerCase() as LevelThreshold;
    if (!part) continue;
    if (extra !== undefined) throw fail('more than one "="');
    if (word === undefined && name === pattern && isLevelThreshold(name.toLowerCase())) {
      if (base) throw fail(`a second default level (the first is "${base}")`);
      base = name.toLowerCase() as LevelThreshold;
      continue;
    }
    if (!name) throw fail("no category");
    if (word !== undefined && name !== pattern) throw fail('"-" silences and takes no level');
    try {
      levelValue(level);
    } catch (err) {
      throw fail((err as Error).message.slice(8));
    }
    const literal = name.replaceAll("*", "");
    // the category itself, or one of its descendants (what follows a ".")
    rules.push({ match: (c) => globMatches(name, c) || globMatches(name + ".*", c), level, rank: literal.length * 2 + +(literal === name) });
  }
  // most specific first; among equals, the later part (sort is stable, so reverse first)
  rules.reverse().sort((a, b) => b.rank - a.rank);
  return {
    spec,
    levelOf(category = "") {
      if (!cache.has(category)) {
        if (cache.size >= CACHE_MAX) cache.clear();
        cache.set(category, rules.find((r) => r.match(category))?.level ?? base);
      }
      return cache.get(category);
    },
  };
}

/**
 * Whether `text` is matched whole by `pattern`, in which `*` stands for any run of characters
 * (dots included) and every other character for itself. Time at most the product of their
 * lengths: a pattern such as `*a*a*a*a*b` on a long category does not backtrack for ever, as the
 * regular expression it once was did (a category may come from data).
 *
 * @example
 * ```ts
 * import { globMatches } from "./level_spec.ts";
 * globMatches("http.*", "http.api.v1"); // true
 * globMatches("http.*", "https"); // false
 * ```
 */
export function globMatches(pattern: string, text: string): boolean {
  let p = 0, t = 0, star = -1, from = 0;
  while (t < text.length) {
    if (p < pattern.length && pattern[p] === "*") (star = p++), (from = t);
    else if (p < pattern.length && pattern[p] === text[t]) p++, t++;
    // a mismatch: the last star takes one more character, and matching goes on after it
    else if (star >= 0) (p = star + 1), (t = ++from);
    else return false;
  }
  while (pattern[p] === "*") p++;
  return p === pattern.length;
}
