/**
 * Parsing of the command line's values: durations, event rates, flags.
 *
 * @module
 */

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Parses a duration: `500ms`, `30s`, `5m`, `1h`, `1d` (a bare number is seconds).
 *
 * @param text The duration.
 * @returns Milliseconds; throws a `TypeError` saying what is accepted.
 * @example
 * ```ts
 * import { parseDuration } from "./flags.ts";
 * parseDuration("30s"); // 30000
 * ```
 */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!m) throw new TypeError(`sluice: bad duration ${JSON.stringify(text)}; use a number with ms, s, m, h or d, like 30s`);
  return Number(m[1]) * UNITS[m[2] ?? "s"];
}

/**
 * Parses event rates: `a=350,b=350,c=300` (records per second per event; 0 is allowed).
 *
 * @param text The rates.
 * @returns Event name to rate, in the order given.
 * @example
 * ```ts
 * import { parseEvents } from "./flags.ts";
 * parseEvents("a=350,b=0"); // Map { "a" => 350, "b" => 0 }
 * ```
 */
export function parseEvents(text: string): Map<string, number> {
  const events = new Map<string, number>();
  for (const part of text.split(",")) {
    const m = /^([^=\s]+)=(\d+(?:\.\d+)?)$/.exec(part.trim());
    if (!m) throw new TypeError(`sluice: bad event ${JSON.stringify(part)} in --events; use name=recordsPerSecond, like a=350,b=350`);
    if (events.has(m[1])) throw new TypeError(`sluice: event ${m[1]} is given twice in --events`);
    events.set(m[1], Number(m[2]));
  }
  return events;
}

/**
 * Splits `--name value`, `--name=value` and bare `--flag` arguments.
 *
 * @param args The arguments after the command.
 * @param booleans Flags that take no value.
 * @param positionals Where arguments that are not flags go; without it they are an error.
 * @returns Flag name to value (`"true"` for booleans).
 * @example
 * ```ts
 * import { parseFlags } from "./flags.ts";
 * parseFlags(["--duration", "5s", "--json"], ["json"]); // { duration: "5s", json: "true" }
 * ```
 */
export function parseFlags(args: readonly string[], booleans: readonly string[], positionals?: string[]): Record<string, string> {
  const flags: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const m = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/.exec(args[i]);
    if (!m && positionals !== undefined && !args[i].startsWith("-")) {
      positionals.push(args[i]);
      continue;
    }
    if (!m) throw new TypeError(`sluice: unexpected argument ${JSON.stringify(args[i])}`);
    const [, name, inline] = m;
    if (booleans.includes(name)) flags[name] = inline ?? "true";
    else if (inline !== undefined) flags[name] = inline;
    else if (i + 1 < args.length) flags[name] = args[++i];
    else throw new TypeError(`sluice: --${name} needs a value`);
  }
  return flags;
}
