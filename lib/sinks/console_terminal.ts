/**
 * What the console sink's `"auto"` format knows of a terminal in a server runtime: whether
 * standard output is one (or `FORCE_COLOR` says to act as if), whether to colour (`NO_COLOR`,
 * `FORCE_COLOR`), and the pretty format. Registered by the server entries
 * (`adapters/server_runtimes.ts`); the web entry leaves it out, so a worker bundle carries none of it.
 *
 * @module
 */
import type { Formatter } from "../format/formatter.ts";
import { formatNdjson } from "../format/ndjson.ts";
import { prettyFormatter } from "../format/pretty.ts";
import type { Runtime } from "../runtime/runtime.ts";

/**
 * How to write for whoever reads standard output.
 *
 * @example
 * ```ts
 * import type { TerminalChoice } from "./console_terminal.ts";
 * const piped: TerminalChoice = { pretty: false, color: false };
 * ```
 */
export interface TerminalChoice {
  /** A person reads it: standard output is a terminal, or `FORCE_COLOR` asks for colour. */
  pretty: boolean;
  /** Colour it. */
  color: boolean;
}

/**
 * Decides from the runtime: a terminal gets the pretty format in colour; `NO_COLOR` (set and not
 * empty) takes the colour away; `FORCE_COLOR` (set, and not `0` or `false`) gives the pretty
 * format in colour even when piped and wins over `NO_COLOR`; `FORCE_COLOR=0` or `false` takes
 * the colour away. The environment is read through the runtime adapter (Deno: only with the env
 * permission, else it is as if unset).
 *
 * @param runtime The runtime adapter.
 * @returns The choice.
 * @example
 * ```ts
 * import { terminalChoice } from "./console_terminal.ts";
 * import { detectRuntime } from "../runtime/detect.ts";
 * const { pretty, color } = terminalChoice(detectRuntime());
 * ```
 */
export function terminalChoice(runtime: Runtime): TerminalChoice {
  const force = runtime.env?.("FORCE_COLOR");
  const noColor = runtime.env?.("NO_COLOR");
  const forced = force !== undefined && force !== "0" && force !== "false";
  const denied = force === "0" || force === "false" || (noColor !== undefined && noColor !== "");
  const tty = runtime.isTerminal?.() === true;
  return { pretty: tty || forced, color: forced || (tty && !denied) };
}

/**
 * How `consoleSink` writes in a server runtime, from its `color` option and
 * {@linkcode terminalChoice}: the colour, the `"auto"` format (pretty for a person, else
 * NDJSON), and whether every level goes to standard output (when piped: a pipe reads only that).
 *
 * @example
 * ```ts
 * import type { ConsoleTerminal } from "./console_terminal.ts";
 * const plain: ConsoleTerminal = (_runtime, color) => ({ color: color ?? false });
 * ```
 */
export type ConsoleTerminal = (runtime: Runtime, color: boolean | undefined) => { color: boolean; auto?: Formatter; stdout?: boolean };

/**
 * The terminal knowledge of the server runtimes, registered with `consoleSink` by
 * `adapters/server_runtimes.ts`.
 *
 * @param runtime The runtime adapter.
 * @param color The sink's `color` option.
 * @returns The colour, the `"auto"` format and where it writes.
 * @example
 * ```ts
 * import { consoleTerminal } from "./console_terminal.ts";
 * import { detectRuntime } from "../runtime/detect.ts";
 * consoleTerminal(detectRuntime(), undefined).stdout; // true when piped
 * ```
 */
export const consoleTerminal: ConsoleTerminal = (runtime, color) => {
  const choice = terminalChoice(runtime);
  const c = color ?? choice.color;
  return { color: c, auto: choice.pretty ? prettyFormatter({ color: c }) : formatNdjson, stdout: !choice.pretty };
};
