/**
 * `sluice pretty`: NDJSON on standard input (sluice's, pino's, OpenTelemetry's JSON log records)
 * as aligned, coloured lines on standard output, in the same process.
 *
 * @module
 */
import { LEVEL_NAMES, type LevelName, levelValue } from "../lib/levels.ts";
import { prettyFormatter } from "../lib/format/pretty.ts";
import { detectRuntime } from "../lib/runtime/detect.ts";
import { terminalChoice } from "../lib/sinks/console_terminal.ts";
import type { CommandSpec } from "./flags.ts";
import { foreignRecord } from "./pretty/foreign_record.ts";

/** The flags of `sluice pretty`. */
export const PRETTY: CommandSpec = {
  name: "pretty",
  summary: "Show NDJSON from standard input (sluice, pino, OpenTelemetry JSON) as aligned, coloured lines; other lines pass as they are.",
  flags: {
    time: { type: "string", value: "local", default: "local", help: "the time column: iso (UTC), local (time of day) or elapsed (since the first record)" },
    ignore: { type: "string", value: "a,b", help: "fields to leave out (time and category leave out those columns)" },
    level: { type: "string", value: "LEVEL", help: `only records at that level or above (${LEVEL_NAMES.join(", ")}); other lines still pass` },
    "single-line": { type: "boolean", help: "one line per record: no stack below an error, newlines in messages escaped" },
  },
};

/** How long the lines still in the pipe are read after SIGINT or SIGTERM, before giving up. */
const SIGNAL_GRACE_MS = 2_000;
/** A line longer than this is written as it is, in pieces, without being parsed. */
const MAX_LINE = 1 << 20;

/**
 * Runs `sluice pretty`: reads standard input to its end and writes each line formatted (a line
 * that is not a JSON object as it is), the last one too when it has no newline. SIGINT or SIGTERM
 * (a Ctrl-C on the whole pipeline) lets it read what the writer still sent, for up to 2 s, then
 * write it and stop.
 *
 * @example
 * ```ts
 * import { pretty } from "./pretty_command.ts";
 * await pretty({ time: "elapsed", level: "warn" }); // reads standard input
 * ```
 */
export async function pretty(flags: Record<string, string | boolean | undefined>): Promise<void> {
  // deno-lint-ignore no-explicit-any -- an untyped runtime global or driver object (no @types for Bun, Deno and Node here)
  const proc = (globalThis as any).process;
  const level = flags.level as LevelName | undefined;
  if (level !== undefined && !LEVEL_NAMES.includes(level)) throw new TypeError(`sluice pretty: --level must be one of ${LEVEL_NAMES.join(", ")}, got ${JSON.stringify(level)}`);
  const time = (flags.time as string | undefined) ?? "local";
  if (time !== "iso" && time !== "local" && time !== "elapsed") throw new TypeError(`sluice pretty: --time must be iso, local or elapsed, got ${JSON.stringify(time)}`);
  const ignore = typeof flags.ignore === "string" ? flags.ignore.split(",").map((s) => s.trim()).filter(Boolean) : [];
  const format = prettyFormatter({ color: terminalChoice(detectRuntime()).color, time, ignore, singleLine: flags["single-line"] === true });
  const min = level === undefined ? -Infinity : levelValue(level);

  const out: string[] = [];
  const show = (line: string) => {
    const r = line.length > MAX_LINE ? undefined : foreignRecord(line);
    if (r === undefined) out.push(line);
    else if (levelValue(r.level) >= min) out.push(format(r));
  };
  /** Set when the reader went away (`sluice pretty | head`): the run ends quietly. */
  let gone = false;
  const write = (text: string) =>
    new Promise<void>((resolve, reject) => {
      proc.stdout.write(text, (err?: Error & { code?: string }) => {
        if (err?.code === "EPIPE") gone = true;
        return err && !gone ? reject(err) : resolve();
      });
    });
  proc.stdout.on?.("error", () => {}); // EPIPE is answered by the write callback

  let stop: () => void = () => {};
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  let grace: ReturnType<typeof setTimeout> | undefined;
  const onSignal = () => void (grace ??= setTimeout(stop, SIGNAL_GRACE_MS));
  proc.once("SIGINT", onSignal);
  proc.once("SIGTERM", onSignal);
  try {
    const decoder = new TextDecoder();
    let rest = "";
    /** The line being read was too long and part of it is written already. */
    let cut = false;
    const input = proc.stdin[Symbol.asyncIterator]();
    for (;;) {
      const next = await Promise.race([input.next(), stopped.then(() => ({ done: true, value: undefined }))]);
      if (next.done) break;
      const text = rest + decoder.decode(next.value as Uint8Array, { stream: true });
      const lines = text.split("\n");
      rest = lines.pop()!;
      if (cut && lines.length > 0 && lines[0] === "") lines.shift(); // the long line ended just where it was cut
      if (lines.length > 0) cut = false;
      while (rest.length > MAX_LINE) {
        out.push(rest.slice(0, MAX_LINE));
        rest = rest.slice(MAX_LINE);
        cut = true;
      }
      for (const l of lines) show(l.endsWith("\r") ? l.slice(0, -1) : l);
      if (out.length > 0) await write(out.splice(0).join("\n") + "\n");
      if (gone) return;
    }
    if (gone) return;
    rest += decoder.decode();
    if (rest !== "") show(rest); // the last line, even without a newline
    if (out.length > 0) await write(out.splice(0).join("\n") + "\n");
  } finally {
    clearTimeout(grace);
    proc.off("SIGINT", onSignal);
    proc.off("SIGTERM", onSignal);
    proc.stdin.destroy?.();
  }
}
