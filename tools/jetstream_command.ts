/**
 * `sluice jetstream init`: creates the JetStream stream the collectors publish to, or checks
 * the one that is there without changing it. The NATS client is loaded only when the command
 * runs, so the other commands never load it.
 *
 * @module
 */
import { type CommandSpec, NATS_SERVERS_FLAG, natsServers, parseDuration } from "./flags.ts";

/** The flags of `sluice jetstream init`. */
export const JETSTREAM: CommandSpec = {
  name: "jetstream",
  summary: "`sluice jetstream init`: create the JetStream stream, or check an existing one (never changed;\nexit 3 when its settings differ from the flags).",
  positionals: "init",
  flags: {
    jetstream: NATS_SERVERS_FLAG,
    stream: { type: "string", value: "NAME", default: "LOGS", help: "the stream's name; its subject is sluice.<name lower-cased>.>" },
    replicas: { type: "string", value: "N", default: "1", help: "copies on different servers (3 on a 3-node cluster)" },
    "duplicate-window": { type: "string", value: "DURATION", default: "1d", help: "how long a batch id (the Idempotency-Key) is remembered" },
    "max-age": { type: "string", value: "DURATION", default: "7d", help: "messages older than this are removed" },
    "max-bytes": { type: "string", value: "N", help: "the stream's size bound, oldest messages first (default: none)" },
  },
};

/**
 * Runs `sluice jetstream init`.
 *
 * @param flags The parsed flags of {@linkcode JETSTREAM}.
 * @param positionals `["init"]`.
 * @param print Where the report goes.
 * @returns 0 when the stream was made or exists as asked, 3 when it exists with other settings.
 * @example
 * ```ts
 * import { jetstreamCommand } from "./jetstream_command.ts";
 * await jetstreamCommand({ jetstream: "nats://127.0.0.1:4222", replicas: "3" }, ["init"]);
 * ```
 */
export async function jetstreamCommand(flags: Record<string, string | boolean | undefined>, positionals: string[], print = console.log): Promise<number> {
  if (positionals.length !== 1 || positionals[0] !== "init") throw new TypeError("sluice jetstream: the subcommand is init (sluice jetstream --help)");
  const servers = natsServers(flags.jetstream as string | undefined, "sluice jetstream init");
  const replicas = Number(flags.replicas ?? 1);
  const maxBytes = flags["max-bytes"] === undefined ? undefined : Number(flags["max-bytes"]);
  if (maxBytes !== undefined && !(Number.isInteger(maxBytes) && maxBytes > 0)) throw new TypeError("sluice jetstream init: --max-bytes must be a whole number of bytes");
  const settings = {
    name: (flags.stream as string | undefined) ?? "LOGS",
    replicas,
    duplicateWindowMs: parseDuration((flags["duplicate-window"] as string | undefined) ?? "1d"),
    maxAgeMs: parseDuration((flags["max-age"] as string | undefined) ?? "7d"),
    maxBytes,
  };
  const { connect } = await import("@nats-io/transport-node");
  const { jetstreamManager } = await import("@nats-io/jetstream");
  const { ensureStream } = await import("../jetstream/stream.ts");
  const nc = await connect({ servers, timeout: 5000 });
  try {
    const r = await ensureStream(await jetstreamManager(nc), settings);
    const c = r.config;
    const what = `subjects ${c.subjects.join(",")}, file storage: ${c.storage === "file"}, replicas ${c.num_replicas}, duplicate window ${c.duplicate_window / 1e6} ms, max age ${c.max_age / 1e6} ms, max bytes ${c.max_bytes}`;
    if (r.action === "created") {
      print(`created stream ${c.name}: ${what}`);
      return 0;
    }
    print(`stream ${c.name} exists (left unchanged): ${what}`);
    for (const d of r.differences) print(`  differs from what was asked: ${d}`);
    return r.differences.length ? 3 : 0;
  } finally {
    await nc.close();
  }
}
