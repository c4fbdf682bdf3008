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
import { registerServerAdapters } from "./adapters/server_runtimes.ts";
import { type CommandSpec, commandHelp, parseCommand } from "./tools/flags.ts";
import { VERSION } from "./tools/version.ts";
import { errorMessage } from "./lib/errors.ts";
import { keepFreedPages } from "./adapters/bun_allocator.ts";

type Run = (flags: Record<string, string | boolean | undefined>, positionals: string[]) => unknown;
type Command = [CommandSpec, Run];
// each command's module is loaded when it runs: a command does not start up paying for the
// others' dependencies (the collector's, the NATS and PostgreSQL clients')
/** A command whose module is imported when it is asked for (the specifier stays literal, so bundlers see it). */
const lazy = <M>(load: () => Promise<M>, pick: (m: M) => Command) => async (): Promise<Command> => pick(await load());
const COMMANDS: Record<string, () => Promise<Command>> = {
  serve: lazy(() => import("./tools/serve_command.ts"), (m) => [m.SERVE, m.serveCommand]),
  load: lazy(() => import("./tools/load_command.ts"), (m) => [m.LOAD, m.load]),
  tail: lazy(() => import("./tools/tail_command.ts"), (m) => [m.TAIL, m.tail]),
  search: lazy(() => import("./tools/search_command.ts"), (m) => [m.SEARCH, m.search]),
  pretty: lazy(() => import("./tools/pretty_command.ts"), (m) => [m.PRETTY, m.pretty]),
  token: lazy(() => import("./tools/token_command.ts"), (m) => [m.TOKEN, m.token]),
  jetstream: lazy(() => import("./tools/jetstream_command.ts"), (m) => [m.JETSTREAM, m.jetstreamCommand]),
  postgres: lazy(() => import("./tools/postgres_command.ts"), (m) => [m.POSTGRES, m.postgresCommand]),
  consume: lazy(() => import("./tools/consume_command.ts"), (m) => [m.CONSUME, m.consumeCommand]),
};
const NAMES = Object.keys(COMMANDS);

async function usage(): Promise<string> {
  const specs = await Promise.all(NAMES.map((name) => COMMANDS[name]()));
  return `usage: sluice <command> [flags]

commands:
${specs.map(([c]) => `  ${c.name.padEnd(9)} ${c.summary.split("\n")[0]}`).join("\n")}

  sluice <command> --help   that command's flags
  sluice --version          ${VERSION}`;
}

// the Bun, Deno and Node adapters (files, terminals) for whichever command runs
registerServerAdapters();
// deno-lint-ignore no-explicit-any -- an untyped runtime global or driver object (no @types for Bun, Deno and Node here)
const proc = (globalThis as any).process;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined) {
    console.error(await usage());
    return 2;
  }
  if (command === "help" || command === "--help" || command === "-h") {
    const spec = Object.hasOwn(COMMANDS, rest[0] ?? "") ? (await COMMANDS[rest[0]]())[0] : undefined;
    console.log(spec ? commandHelp(spec) : await usage());
    return 0;
  }
  if (command === "--version" || command === "-V" || command === "version") {
    console.log(VERSION);
    return 0;
  }
  if (!Object.hasOwn(COMMANDS, command)) {
    console.error(`sluice: unknown command ${JSON.stringify(command)}; commands: ${NAMES.join(", ")} (see sluice --help)`);
    return 2;
  }
  // the collector and the consumer on Bun keep the pages they free: they start again once, in
  // place, to set that, before their modules load (a bad flag is then found after the restart)
  if ((command === "serve" || command === "consume") && !rest.includes("--help") && !rest.includes("-h")) await keepFreedPages(`sluice ${command}`);
  const [spec, run] = await COMMANDS[command]();
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
