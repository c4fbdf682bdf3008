/**
 * Parsing of the command line: each command's flag table, parsed by `node:util`'s `parseArgs`
 * and rendered as its help; durations, event rates, whole numbers.
 *
 * @module
 */

/** `node:util`'s parseArgs, the part used here (taken at run time: Bun, Deno and Node all have it). */
type ParseArgs = (config: { args: string[]; options: Record<string, { type: "string" | "boolean"; short?: string }>; strict: boolean; allowPositionals: boolean }) => { values: Record<string, string | boolean | undefined>; positionals: string[] };
// deno-lint-ignore no-explicit-any -- an untyped runtime global or driver object (no @types for Bun, Deno and Node here)
const parseArgs: ParseArgs = (config) => (globalThis as any).process.getBuiltinModule("node:util").parseArgs(config);

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Parses a duration: `500ms`, `30s`, `5m`, `1h`, `1d`. The unit is required: a bare `10` is an
 * error, not a guess.
 *
 * @param text The duration.
 * @returns Milliseconds; throws a `TypeError` saying what is accepted.
 * @example
 * ```ts
 * import { parseDuration } from "./flags.ts";
 * parseDuration("30s"); // 30000
 * ```
 */
export function parseDuration(text: string, flag = "sluice"): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text.trim());
  if (!m) throw new TypeError(`${flag}: bad duration ${JSON.stringify(text)}; use a number with a unit (ms, s, m, h or d), like 30s`);
  return Number(m[1]) * UNITS[m[2]];
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

/** One flag of a command: its kind, a short letter, the value's placeholder and default, and its help line. */
export interface FlagSpec {
  type: "string" | "boolean";
  short?: string;
  /** The value's placeholder in the help text, such as `FILE` or `30s`. */
  value?: string;
  /** The default, as shown in the help text (the command applies it). */
  default?: string;
  help: string;
}

/** A command: its name, a one-line summary, what it takes besides flags, and its flags. */
export interface CommandSpec {
  name: string;
  summary: string;
  /** Positional arguments, as shown in the usage line (`[PATH...]`); none when absent. */
  positionals?: string;
  flags: Record<string, FlagSpec>;
  /** Flags that were renamed: old name (without dashes) → the new flag, named in the error. */
  renamed?: Record<string, string>;
}

/** What {@linkcode parseCommand} found. */
export interface ParsedCommand {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
  /** `--help` or `-h` was given: print {@linkcode commandHelp} and do nothing else. */
  help: boolean;
}

/**
 * Parses a command's arguments with `node:util`'s `parseArgs` (Bun, Deno and Node all have it),
 * strictly: an unknown flag, a missing value or a stray argument is a one-line `TypeError` that
 * names the flag and points at `--help`. `--help`/`-h` is every command's.
 *
 * @param spec The command.
 * @param args The arguments after the command's name.
 * @returns The values, the positionals and whether help was asked for.
 * @example
 * ```ts
 * import { parseCommand } from "./flags.ts";
 * parseCommand({ name: "load", summary: "", flags: { json: { type: "boolean", help: "JSON" } } }, ["--json"]).values.json; // true
 * ```
 */
export function parseCommand(spec: CommandSpec, args: readonly string[]): ParsedCommand {
  const options: Record<string, { type: "string" | "boolean"; short?: string }> = { help: { type: "boolean", short: "h" } };
  for (const [name, f] of Object.entries(spec.flags)) options[name] = f.short ? { type: f.type, short: f.short } : { type: f.type };
  try {
    const { values, positionals } = parseArgs({ args: [...args], options, strict: true, allowPositionals: spec.positionals !== undefined });
    return { values: values as ParsedCommand["values"], positionals, help: values.help === true };
  } catch (err) {
    if (args.includes("--help") || args.includes("-h")) return { values: {}, positionals: [], help: true };
    throw new TypeError(`sluice ${spec.name}: ${argumentError(err as Error & { code?: string }, spec)} (see sluice ${spec.name} --help)`);
  }
}

/** parseArgs' error, said in one line that names the flag. */
function argumentError(err: Error & { code?: string }, spec: CommandSpec): string {
  const flag = /'(-[^' ]+)/.exec(err.message)?.[1];
  switch (err.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION": {
      const now = spec.renamed?.[flag?.replace(/^-+/, "").split("=")[0] ?? ""];
      return now === undefined ? `unknown flag ${flag ?? err.message}` : `${flag} was renamed; use ${now}`;
    }
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE": {
      const name = flag?.replace(/^-+/, "").split(/[ =]/)[0] ?? "";
      const f = spec.flags[name] ?? Object.entries(spec.flags).find(([, v]) => v.short === name)?.[1];
      return f?.type === "boolean" ? `${flag} takes no value` : `${flag} needs a value${f?.value ? ` (${f.value})` : ""}`;
    }
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return `unexpected argument ${JSON.stringify(/'([^']*)'/.exec(err.message)?.[1] ?? err.message)}`;
    default:
      return err.message;
  }
}

/**
 * The help text of a command, made from its flag table.
 *
 * @example
 * ```ts
 * import { commandHelp } from "./flags.ts";
 * console.log(commandHelp({ name: "tail", summary: "show log files", positionals: "[PATH...]", flags: {} }));
 * ```
 */
export function commandHelp(spec: CommandSpec): string {
  const rows = Object.entries(spec.flags).map(([name, f]) => {
    const left = `${f.short ? `-${f.short}, ` : "    "}--${name}${f.type === "string" ? ` ${f.value ?? "VALUE"}` : ""}`;
    return `  ${left.padEnd(34)} ${f.help}${f.default !== undefined ? ` (default ${f.default})` : ""}`;
  });
  rows.push(`  ${"-h, --help".padEnd(34)} this text`);
  return `usage: sluice ${spec.name}${spec.positionals ? ` ${spec.positionals}` : ""} [flags]\n\n${spec.summary}\n\nflags:\n${rows.join("\n")}`;
}

/**
 * A whole-number flag within bounds, or a one-line `TypeError` naming the flag and the range.
 *
 * @example
 * ```ts
 * import { wholeNumber } from "./flags.ts";
 * wholeNumber("8080", "sluice serve: --port", 0, 65535); // 8080
 * ```
 */
export function wholeNumber(text: string, flag: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = /^\d+$/.test(text.trim()) ? Number(text) : NaN;
  if (!(n >= min && n <= max)) throw new TypeError(`${flag} must be a whole number from ${min}${max === Number.MAX_SAFE_INTEGER ? " up" : ` to ${max}`}, got ${JSON.stringify(text)}`);
  return n;
}

/**
 * A duration flag that must be more than zero.
 *
 * @example
 * ```ts
 * import { positiveDuration } from "./flags.ts";
 * positiveDuration("250ms", "sluice tail: --interval"); // 250
 * ```
 */
export function positiveDuration(text: string, flag: string): number {
  const ms = parseDuration(text, flag);
  if (!(ms > 0)) throw new TypeError(`${flag} must be more than 0, got ${JSON.stringify(text)}`);
  return ms;
}

/**
 * The `--jetstream URL` flag of the commands that need NATS (`consume`, `jetstream init`; read
 * with {@linkcode natsServers}).
 *
 * @example
 * ```ts
 * import { NATS_SERVERS_FLAG } from "./flags.ts";
 * const flags = { jetstream: NATS_SERVERS_FLAG };
 * ```
 */
export const NATS_SERVERS_FLAG: FlagSpec = { type: "string", value: "URL", help: "NATS servers, comma-separated, such as nats://127.0.0.1:4222 (required)" };

/**
 * The NATS servers of a `--jetstream URL[,URL...]` flag, each `nats://host[:port]`,
 * `tls://host[:port]` or `host:port`; one place for `serve`, `consume` and `jetstream init`.
 *
 * @param text The flag's value, or undefined when it was not given.
 * @param command The command, for the messages (`sluice consume`).
 * @returns The server URLs.
 * @example
 * ```ts
 * import { natsServers } from "./flags.ts";
 * natsServers("nats://a:4222, nats://b:4222", "sluice consume"); // ["nats://a:4222", "nats://b:4222"]
 * ```
 */
export function natsServers(text: string | undefined, command: string): string[] {
  if (!text) throw new TypeError(`${command}: --jetstream URL is required (${command.split(" ").slice(0, 2).join(" ")} --help)`);
  const servers = text.split(",").map((u) => u.trim());
  for (const u of servers) {
    if (!/^(nats|tls):\/\/[^/\s:]+(:\d{1,5})?$|^[^/\s:]+:\d{1,5}$/.test(u)) throw new TypeError(`${command}: --jetstream must be a NATS URL such as nats://127.0.0.1:4222, got ${JSON.stringify(u)}`);
  }
  return servers;
}
