/**
 * `sluice consume`: writes the JetStream stream's records to category files, exactly once.
 * The NATS client is loaded only when the command runs, so the other commands never load it.
 *
 * @module
 */
import { type CommandSpec, NATS_SERVERS_FLAG, natsServers, positiveDuration, wholeNumber } from "./flags.ts";

/** The flags of `sluice consume`. */
export const CONSUME: CommandSpec = {
  name: "consume",
  summary: "Write the JetStream stream's records to <dir>/<category>.ndjson with a durable consumer, each record once\n(acked only once written; a restart after a crash neither loses nor repeats one).",
  flags: {
    jetstream: NATS_SERVERS_FLAG,
    stream: { type: "string", value: "NAME", default: "LOGS", help: "the stream (sluice jetstream init makes it)" },
    dir: { type: "string", value: "DIR", default: "./logs", help: "where files go" },
    name: { type: "string", value: "NAME", default: "sluice-consume", help: "the durable consumer's name; one process per name and --dir" },
    subjects: { type: "string", value: "FILTER,...", help: "only these subjects, such as sluice.logs.http.> (default: the whole stream); consumers sharing a --dir need disjoint ones" },
    durable: { type: "boolean", help: "fsync the records and the journal before acking" },
    "ack-wait": { type: "string", value: "DURATION", default: "3s", help: "how long JetStream waits for an ack before delivering a message again (also how long a message lost in flight with a NATS node waits)" },
    "max-keys": { type: "string", value: "N", default: "100000", help: "written messages remembered against a late redelivery (see README, exactly once)" },
    postgres: { type: "string", value: "URL", help: "commit the records into a PostgreSQL table instead of files (each message's stream sequence in the same transaction; --dir then only holds dead letters)" },
    table: { type: "string", value: "NAME", default: "logs", help: "the table (with --postgres)" },
  },
};

// deno-lint-ignore no-explicit-any -- an untyped runtime global or driver object (no @types for Bun, Deno and Node here)
const proc = (globalThis as any).process;

/**
 * Runs `sluice consume` until SIGTERM or SIGINT: a start line, then, on the signal, the
 * current write finished and acked, and a final line with the counts.
 *
 * @param flags The parsed flags of {@linkcode CONSUME}.
 * @param _positionals None.
 * @param print Where the lines go.
 * @returns 0 after a signal.
 * @example
 * ```ts
 * import { consumeCommand } from "./consume_command.ts";
 * await consumeCommand({ jetstream: "nats://127.0.0.1:4222", stream: "LOGS", dir: "./logs" }, []);
 * ```
 */
export async function consumeCommand(flags: Record<string, string | boolean | undefined>, _positionals: string[] = [], print = console.log): Promise<number> {
  const str = (name: string) => flags[name] as string | undefined;
  const servers = natsServers(str("jetstream"), "sluice consume");
  const name = str("name") ?? "sluice-consume";
  if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new TypeError(`sluice consume: --name has letters, digits, _ and - only, got ${JSON.stringify(name)}`);
  const subjects = str("subjects")?.split(",").map((s) => s.trim());
  const options = {
    servers,
    stream: str("stream") ?? "LOGS",
    dir: str("dir") ?? "./logs",
    name,
    subjects,
    durable: flags.durable === true,
    ackWaitMs: positiveDuration(str("ack-wait") ?? "3s", "sluice consume: --ack-wait"),
    maxKeys: wholeNumber(str("max-keys") ?? "100000", "sluice consume: --max-keys", 1),
    print,
  };
  if (str("postgres") === undefined && str("table") !== undefined) throw new TypeError("sluice consume: --table goes with --postgres URL");
  if (str("postgres") !== undefined && flags.durable === true) throw new TypeError("sluice consume: --durable is for files; a PostgreSQL commit is durable as the server is configured");
  const { startConsumer } = await import("./consume/consumer.ts");
  const { detectRuntime } = await import("../lib/runtime/detect.ts");
  const { faultHook } = await import("../collector/fault_hook.ts");
  (await import("../adapters/server_runtimes.ts")).registerServerAdapters();
  const pg = str("postgres");
  const consumer = pg === undefined ? await startConsumer(options, faultHook(detectRuntime())) : await (await import("./consume/postgres_consumer.ts")).startPostgresConsumer({ ...options, postgres: pg, table: str("table") });
  const stop = () => void consumer.stop();
  proc.once("SIGTERM", stop);
  proc.once("SIGINT", stop);
  await consumer.done;
  const c = consumer.counts;
  const where = pg === undefined ? ["on disk", "disk"] : ["in the table", "commit"];
  print(`sluice consume: stopped; wrote ${c.records} records in ${c.messages} messages, skipped ${c.skipped} already ${where[0]}, dead-lettered ${c.deadLettered}, ${where[1]} retries ${c.diskRetries}`);
  return 0;
}
