// `sluice consume` as a real child process, and records published to the stream as the
// collectors publish them (one message per batch and category): shared by the consume suites.
import { afterAll } from "bun:test";
import { type ChildProcess, spawn } from "node:child_process";
import type { JetStreamClient } from "@nats-io/jetstream";
import { headers } from "@nats-io/transport-node";
import { encodeBatch } from "../../jetstream/message.ts";
import { messageText } from "../../jetstream/message_read.ts";
import { createRecord, type LogRecord } from "../../lib/record.ts";

/** The consumers started and not yet gone: a test that fails before it stops its own leaves none running after its file. */
const running = new Set<ChildProcess>();
try {
  afterAll(() => {
    for (const child of running) child.kill("SIGKILL");
  });
} catch {
  // imported outside the test runner (bench/run_postgres.mjs uses these helpers): the caller stops what it starts
}

/** A running `sluice consume`: its output so far, and how to stop it. */
export interface ConsumeProcess {
  child: ChildProcess;
  output(): string;
  /** Sends `signal` and resolves with the exit code (null after a SIGKILL) once it is gone. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts `sluice consume ARGS` (on Bun, or with `sluice`, the command that runs sluice on another
 * runtime); resolves once it printed its start line (rejects if it exits first).
 */
export async function startConsume(args: string[], sluice: string[] = [process.execPath, "cli.ts"]): Promise<ConsumeProcess> {
  const child = spawn(sluice[0], [...sluice.slice(1), "consume", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  running.add(child);
  child.once("exit", () => running.delete(child));
  let out = "";
  child.stdout!.on("data", (c) => (out += c));
  child.stderr!.on("data", (c) => (out += c));
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`consume did not start in 15 s:\n${out}`)), 15_000);
    const look = () => {
      if (/sluice consume: consumer \S+ on stream/.test(out)) (clearTimeout(timer), resolve());
    };
    child.stdout!.on("data", look);
    exited.then((code) => (clearTimeout(timer), reject(new Error(`consume exited (${code}) before it started:\n${out}`))));
  });
  return {
    child,
    output: () => out,
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return await exited;
    },
  };
}

/** Records `from`..`from+n-1`, field `i`, over categories a, b and c (as tests/helpers/disk_records.ts counts them). */
export function numberedRecords(from: number, n: number): LogRecord[] {
  return Array.from({ length: n }, (_, k) => createRecord(1_700_000_000_000 + from + k, "info", ["a", "b", "c"][(from + k) % 3], "r", `,"i":${from + k}}`));
}

/**
 * Publishes records `from`..`from+n-1` as one batch, as the collectors do (`encodeBatch`: one
 * message per category on `<prefix>.<category>`, msgID `b<from>:<category>`). Returns each
 * category's NDJSON (inflated: a message from 1 KiB is gzipped).
 */
export async function publishBatch(js: JetStreamClient, prefix: string, from: number, n: number): Promise<Map<string, string>> {
  const messages = encodeBatch(prefix, numberedRecords(from, n), { id: `b${from}`, producer: "test" });
  await Promise.all(messages.map((m) => {
    const h = headers();
    for (const [k, v] of Object.entries(m.headers)) if (k !== "Nats-Msg-Id") h.set(k, v);
    return js.publish(m.subject, m.data, { msgID: m.msgID, headers: h });
  }));
  return new Map(messages.map((m) => [m.subject.slice(prefix.length + 1), new TextDecoder().decode(messageText(m.data))]));
}

/** Resolves once `check()` is true, polling every 50 ms; throws with `what` after `ms`. */
export async function waitFor(check: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `f()` again until it resolves (a cluster electing a leader refuses for a while), every 200 ms, for at most `ms`. */
export async function untilAnswered<T>(f: () => Promise<T>, ms: number): Promise<T> {
  for (const end = Date.now() + ms; ;) {
    try {
      return await f();
    } catch (err) {
      if (Date.now() > end) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
