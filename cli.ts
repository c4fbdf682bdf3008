#!/usr/bin/env node
/**
 * The `sluice` command: `sluice serve` runs the collector; `sluice load` drives a logger with
 * the seed's multi-event workload; `sluice tail` shows log files as they grow; `sluice token`
 * shows or rotates the collector's generated token. `sluice <command> --help` for each.
 *
 * ```sh
 * npx sluice load --events a=350,b=350,c=300 --duration 30s --json
 * bun cli.ts load --events a=500,b=0,c=0 --dir ./logs/load
 * npx sluice tail ./logs -f --level warn
 * ```
 *
 * @module
 */
import { CONSUME, consumeCommand } from "./tools/consume_command.ts";
import { type CommandSpec, commandHelp, parseCommand } from "./tools/flags.ts";
import { JETSTREAM, jetstreamCommand } from "./tools/jetstream_command.ts";
import { POSTGRES, postgresCommand } from "./tools/postgres_command.ts";
import { load, LOAD } from "./tools/load_command.ts";
import { SERVE, serveCommand } from "./tools/serve_command.ts";
import { tail, TAIL } from "./tools/tail_command.ts";
import { search, SEARCH } from "./tools/search_command.ts";
import { pretty, PRETTY } from "./tools/pretty_command.ts";
import { token, TOKEN } from "./tools/token_command.ts";
import { VERSION } from "./tools/version.ts";
import { errorMessage } from "./lib/errors.ts";

type Run = (flags: Record<string, string | boolean | undefined>, positionals: string[]) => unknown;
const COMMANDS: [CommandSpec, Run][] = [[SERVE, serveCommand], [LOAD, load], [TAIL, tail], [SEARCH, search], [PRETTY, pretty], [TOKEN, token], [JETSTREAM, jetstreamCommand], [POSTGRES, postgresCommand], [CONSUME, consumeCommand]];

const USAGE = `usage: sluice <command> [flags]

commands:
${COMMANDS.map(([c]) => `  ${c.name.padEnd(9)} ${c.summary.split("\n")[0]}`).join("\n")}

  sluice <command> --help   that command's flags
  sluice --version          ${VERSION}`;

// deno-lint-ignore no-explicit-any -- an untyped runtime global or driver object (no @types for Bun, Deno and Node here)
const proc = (globalThis as any).process;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined) {
    console.error(USAGE);
    return 2;
  }
  if (command === "help" || command === "--help" || command === "-h") {
    const spec = COMMANDS.find(([c]) => c.name === rest[0])?.[0];
    console.log(spec ? commandHelp(spec) : USAGE);
    return 0;
  }
  if (command === "--version" || command === "-V" || command === "version") {
    console.log(VERSION);
    return 0;
  }
  const entry = COMMANDS.find(([c]) => c.name === command);
  if (entry === undefined) {
    console.error(`sluice: unknown command ${JSON.stringify(command)}; commands: ${COMMANDS.map(([c]) => c.name).join(", ")} (see sluice --help)`);
    return 2;
  }
  const [spec, run] = entry;
  try {
    const parsed = parseCommand(spec, rest);
    if (parsed.help) {
      console.log(commandHelp(spec));
      return 0;
    }
    const status = await run(parsed.values, parsed.positionals);
    return typeof status === "number" ? status : 0;
  } catch (err) {
    // our own errors say what is wrong and start with "sluice"; anything else is a bug: its stack helps
    const message = errorMessage(err);
    console.error(err instanceof TypeError || message.startsWith("sluice") ? message : String((err as Error)?.stack ?? err));
    return 1;
  }
}

const code = await main(proc.argv.slice(2));
if (code !== 0) proc.exitCode = code;
