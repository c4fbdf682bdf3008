/**
 * Where `sluice consume` puts a message that does not decode: `<dir>/.sluice/dead/<seq>.msg`
 * (its bytes) and `<seq>.reason` (why, its subject and headers), so one poison message never
 * blocks the consumer and nothing is dropped unseen.
 *
 * @module
 */
import type { JsMsg } from "@nats-io/jetstream";

// deno-lint-ignore no-explicit-any -- an untyped runtime global or driver object (no @types for Bun, Deno and Node here)
const proc = (globalThis as any).process;

/**
 * Writes the message and the reason; the same message written again (delivered again after a
 * crash) replaces its own files.
 *
 * @param dir The consumer's directory.
 * @param m The message.
 * @param reason Why it was not written.
 * @example
 * ```ts
 * import { deadLetter } from "./dead_letter.ts";
 * deadLetter("./logs", msg, "line 1: Unexpected token");
 * ```
 */
export function deadLetter(dir: string, m: Pick<JsMsg, "seq" | "subject" | "data" | "headers">, reason: string): void {
  const fs = proc.getBuiltinModule("node:fs");
  const base = `${dir}/.sluice/dead/${m.seq}`;
  fs.mkdirSync(`${dir}/.sluice/dead`, { recursive: true });
  const headers = m.headers ? [...m.headers.keys()].map((k) => `${k}: ${m.headers!.get(k)}`).join("\n") : "";
  fs.writeFileSync(`${base}.msg`, m.data);
  fs.writeFileSync(`${base}.reason`, `${reason}\nsubject: ${m.subject}\n${headers}\n`);
}
