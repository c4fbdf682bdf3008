/**
 * `sluice serve`: runs the collector.
 *
 * @module
 */
import { errorMessage } from "../lib/errors.ts";
import { parseTokens, type TokenEntry } from "../collector/auth.ts";
import { serve } from "../collector/listen.ts";
import { parseTokenEnv } from "../collector/auth.ts";
import { type CommandSpec, natsServers, positiveDuration, wholeNumber } from "./flags.ts";
import { generatedTokens } from "./tokens_file.ts";
import { POSTGRES_SERVE_FLAGS, postgresServeStore } from "./postgres_command.ts";
import { parseRouteFile } from "../lib/sinks/route/route_config.ts";

/** The flags of `sluice serve`. */
export const SERVE: CommandSpec = {
  name: "serve",
  summary: "Run the collector: producers POST logs to /ingest, /v1/logs (OTLP) and /heartbeat; records go to <dir>/<category>.ndjson.",
  flags: {
    port: { type: "string", value: "PORT", default: "8080", help: "0 picks a free port" },
    host: { type: "string", value: "HOST", default: "127.0.0.1", help: "interface to bind" },
    dir: { type: "string", value: "DIR", default: "./logs", help: "where files go" },
    tokens: { type: "string", value: "FILE", help: "name:token lines, or name:token:producers=edge-*,web, :role=read for a read-only token (or env SLUICE_TOKENS); with neither, a token is generated into <dir>/.sluice/tokens on the first start" },
    "no-auth": { type: "boolean", help: "accept requests without a token (explicitly)" },
    "tls-cert": { type: "string", value: "FILE", help: "serve HTTPS (with --tls-key)" },
    "tls-key": { type: "string", value: "FILE", help: "the certificate's key" },
    "max-body-bytes": { type: "string", value: "BYTES", default: "8388608", help: "request body on the wire" },
    "max-lines": { type: "string", value: "N", default: "100000", help: "records in one request; past it 413, nothing written" },
    "max-errors": { type: "string", value: "N", default: "100", help: "rejected lines reported with their reason in an answer (all are counted)" },
    "max-concurrent-bodies": { type: "string", value: "N", default: "16", help: "request bodies one token reads at once; past it 503 Retry-After: 1 for that token" },
    "max-memory-bytes": { type: "string", value: "BYTES", default: "268435456", help: "bytes all requests in flight may hold (bodies buffered and inflated), half of it per token; past it 503 Retry-After: 1" },
    "rate-limit": { type: "string", value: "N", default: "100000", help: "records/s per token (burst: twice that)" },
    durable: { type: "boolean", help: "fsync the records and the journal before answering" },
    "body-timeout": { type: "string", value: "30s", default: "30s", help: "a body that takes longer is answered 408" },
    "min-body-rate": { type: "string", value: "BYTES", default: "1024", help: "bytes/s a body must average once --body-grace is over; slower is answered 408 and closed (0: no minimum)" },
    "body-grace": { type: "string", value: "5s", default: "5s", help: "time a body has before --min-body-rate is checked" },
    "header-timeout": { type: "string", value: "5s", default: "5s", help: "time a connection has to send a request's headers (and longest idle keep-alive); then it is closed" },
    "max-idempotency-keys": { type: "string", value: "N", default: "100000", help: "Idempotency-Keys remembered per token; past it the oldest is forgotten" },
    "max-producers-per-token": { type: "string", value: "N", default: "1000", help: "producer names one token may use; a new one past it gets 403" },
    "max-categories-per-token": { type: "string", value: "N", default: "1000", help: "categories one token may create; later ones, and new ones longer than 256 characters, go to overflow.ndjson" },
    "max-producers-per-forwarder": { type: "string", value: "N", default: "100000", help: "producer names the token of a --trust-forwarder collector may use (instead of --max-producers-per-token)" },
    "max-check-in": { type: "string", value: "DURATION", default: "7d", help: "the longest nextCheckInMs a heartbeat may announce; longer is a 400" },
    "max-grace": { type: "string", value: "DURATION", default: "1d", help: "the longest graceMs a heartbeat may ask for; longer is a 400" },
    "public-metrics": { type: "boolean", help: "answer GET /metrics and /producers without a token" },
    "no-console": { type: "boolean", help: "do not serve the console at / (the /api/* read API stays, for read tokens)" },
    "tail-buffer": { type: "string", value: "N", default: "10000", help: "recent records kept for /api/tail clients that resume (Last-Event-ID) or fall behind" },
    "tail-buffer-bytes": { type: "string", value: "BYTES", default: "16777216", help: "bytes of those records kept at most (lines, messages and categories; a body all in sluice's form, one category file, counts as its text)" },
    "max-tail-clients": { type: "string", value: "N", default: "64", help: "/api/tail clients at once; past it 503 Retry-After: 5 (with several read tokens, one gets half; past it 429)" },
    "max-concurrent-searches": { type: "string", value: "N", default: "4", help: "/api/search and /api/histogram requests running at once; past it 503 Retry-After: 1 (with several read tokens, one gets half, at least 2; past it 429)" },
    "tail-rate": { type: "string", value: "N", default: "1000", help: "records one /api/tail client is sent a second at most (its query may look at 16 times as many); past it the client is told how many it missed" },
    forward: { type: "string", value: "URL", help: "also forward every record to another collector's /ingest" },
    "forward-token": { type: "string", value: "TOKEN", help: "its token (or env SLUICE_FORWARD_TOKEN)" },
    "forward-spool": { type: "string", value: "DIR", default: "<dir>/.sluice/forward-spool", help: "where batches wait while it is away" },
    route: { type: "string", value: "FILE", help: "also distribute every record over the targets of a routes.json (reloaded when it changes and on SIGHUP; see README, Routing)" },
    "trust-forwarder": { type: "string", value: "NAME,...", help: "tokens of collectors forwarding here: their records keep their producer" },
    jetstream: { type: "string", value: "URL", help: "store accepted records in a NATS JetStream stream instead of <dir> (nats://host:port, comma-separated for a cluster); 2xx only once JetStream acknowledged them" },
    stream: { type: "string", value: "NAME", default: "LOGS", help: "the JetStream stream (with --jetstream); created with sluice jetstream init's defaults when missing" },
    "publish-timeout": { type: "string", value: "5s", default: "5s", help: "a batch JetStream has not acknowledged by then is answered 503 (with --jetstream)" },
    ...POSTGRES_SERVE_FLAGS,
  },
};

/**
 * Runs `sluice serve` with parsed flags: checks every flag before anything starts, and writes a
 * generated token only once the collector listens.
 *
 * @example
 * ```ts
 * import { serveCommand } from "./serve_command.ts";
 * await serveCommand({ port: "0", dir: "./logs", "no-auth": true });
 * ```
 */
export async function serveCommand(flags: Record<string, string | boolean | undefined>): Promise<number | void> {
  // deno-lint-ignore no-explicit-any -- an untyped runtime global or driver object (no @types for Bun, Deno and Node here)
  const proc = (globalThis as any).process;
  const str = (name: string) => flags[name] as string | undefined;
  const num = (name: string, min: number, max?: number) => (str(name) === undefined ? undefined : wholeNumber(str(name)!, `sluice serve: --${name}`, min, max));
  const fs = proc.getBuiltinModule("node:fs");
  const dir = str("dir") ?? "./logs";
  const port = num("port", 0, 65535) ?? 8080;
  const hostname = str("host") ?? "127.0.0.1";
  const noAuth = flags["no-auth"] === true;
  const read = (flag: string) => {
    try {
      return fs.readFileSync(str(flag), "utf8") as string;
    } catch (err) {
      throw new TypeError(`sluice serve: cannot read --${flag} ${str(flag)}: ${errorMessage(err)}`);
    }
  };
  let tokens: TokenEntry[] = [];
  let generated: ReturnType<typeof generatedTokens> | undefined;
  if (str("tokens")) tokens = parseTokens(read("tokens"));
  else if (proc.env.SLUICE_TOKENS) tokens = parseTokenEnv(proc.env.SLUICE_TOKENS);
  else if (!noAuth) tokens = (generated = generatedTokens(fs, dir)).tokens;
  if ((str("tls-cert") === undefined) !== (str("tls-key") === undefined)) throw new TypeError("sluice serve: --tls-cert and --tls-key go together");
  const tls = str("tls-cert") ? { cert: read("tls-cert"), key: read("tls-key") } : undefined;
  const rate = num("rate-limit", 1) ?? 100_000;
  const forwardToken = str("forward-token") ?? proc.env.SLUICE_FORWARD_TOKEN;
  const trustedForwarders = str("trust-forwarder")?.split(",").map((n) => n.trim()).filter(Boolean) ?? [];
  const forward = str("forward");
  if (forward !== undefined && !/^https?:\/\/[^/]/.test(forward)) throw new TypeError(`sluice serve: --forward must be a URL such as https://central.example.com/ingest, got ${JSON.stringify(forward)}`);
  const route = str("route");
  if (route !== undefined) {
    try {
      parseRouteFile(read("route"), route); // a bad routes file stops the start: one line, exit code 2
    } catch (err) {
      const message = errorMessage(err);
      console.error(message.startsWith("sluice") ? message : `sluice serve: --route ${message}`);
      return 2;
    }
  }
  const pgStore = await postgresServeStore(str);
  const store = pgStore ?? (await jetstreamFlags(str));
  let server;
  try {
    server = await serve({
      store,
      searcher: pgStore?.searcher,
      port,
      hostname,
      dir,
      tokens,
      noAuth,
      tls,
      maxBodyBytes: num("max-body-bytes", 1),
      maxLines: num("max-lines", 1),
      maxErrors: num("max-errors", 0),
      maxConcurrentBodies: num("max-concurrent-bodies", 1),
      maxMemoryBytes: num("max-memory-bytes", 1 << 20),
      minBodyBytesPerSec: num("min-body-rate", 0),
      bodyGraceMs: str("body-grace") === undefined ? undefined : positiveDuration(str("body-grace")!, "sluice serve: --body-grace"),
      headerTimeoutMs: str("header-timeout") === undefined ? undefined : positiveDuration(str("header-timeout")!, "sluice serve: --header-timeout"),
      rateLimit: { recordsPerSec: rate, burst: rate * 2 },
      durable: flags.durable === true,
      bodyTimeoutMs: str("body-timeout") === undefined ? undefined : positiveDuration(str("body-timeout")!, "sluice serve: --body-timeout"),
      forward: forward === undefined ? undefined : { url: forward, token: forwardToken, spool: str("forward-spool") },
      route: route === undefined ? undefined : { file: route },
      trustedForwarders,
      maxIdempotencyKeys: num("max-idempotency-keys", 1),
      maxProducersPerToken: num("max-producers-per-token", 1),
      maxCategoriesPerToken: num("max-categories-per-token", 1),
      maxProducersPerForwarder: num("max-producers-per-forwarder", 1),
      maxCheckInMs: str("max-check-in") === undefined ? undefined : positiveDuration(str("max-check-in")!, "sluice serve: --max-check-in"),
      maxGraceMs: str("max-grace") === undefined ? undefined : positiveDuration(str("max-grace")!, "sluice serve: --max-grace"),
      publicMetrics: flags["public-metrics"] === true,
      console: flags["no-console"] !== true,
      tailBufferRecords: num("tail-buffer", 1),
      tailBufferBytes: num("tail-buffer-bytes", 1),
      maxTailClients: num("max-tail-clients", 1),
      maxConcurrentSearches: num("max-concurrent-searches", 1),
      tailEventsPerSec: num("tail-rate", 1),
    });
  } catch (err) {
    await store?.close();
    const text = errorMessage(err) + " " + String((err as { code?: string })?.code ?? "");
    if (/EADDRINUSE|AddrInUse|in use/i.test(text)) throw new TypeError(`sluice serve: port ${port} on ${hostname} is in use; stop what holds it, or pick another with --port (0 picks a free one)`);
    if (/EACCES|PermissionDenied/i.test(text)) throw new TypeError(`sluice serve: not allowed to listen on ${hostname}:${port} (ports below 1024 need privileges); pick another with --port`);
    throw err;
  }
  generated?.save();
  const to = store === undefined ? `writing to ${dir}` : str("postgres") !== undefined ? `storing in PostgreSQL table ${str("table") ?? "logs"}${store.failure() ? ` (${store.failure()}; answering 503 until it is reached)` : ""}` : `publishing to JetStream stream ${str("stream") ?? "LOGS"} at ${str("jetstream")}`;
  console.log(`sluice collector listening on ${server.url}, ${to}${forward ? `, forwarding to ${forward}` : ""}${route ? `, routing by ${route}` : ""}`);
  if (forward !== undefined && !forwardToken) {
    console.warn("warning: --forward without --forward-token or SLUICE_FORWARD_TOKEN: a collector that needs a token will refuse every batch (they wait in the spool)");
  }
  for (const name of trustedForwarders) {
    if (!tokens.some((t) => t.name === name)) console.warn(`warning: --trust-forwarder ${name} names no token in use`);
  }
  if (generated?.generated) console.log(`generated a token (kept in ${dir}/.sluice/tokens; \`sluice token --dir ${dir}\` shows it again): ${generated.generated}`);
  else if (generated) console.log(`using the tokens in ${dir}/.sluice/tokens (\`sluice token --dir ${dir}\` shows them)`);
  if (generated?.generatedRead) console.log(`generated a read token for the console and /api/* (same file): ${generated.generatedRead}`);
  const readable = noAuth || tokens.some((t) => t.role === "read");
  if (flags["no-console"] !== true) {
    const how = generated?.generatedRead ? "open it with the read token above" : readable ? "open it with a read token" : "it needs a read token: add name:token:role=read to the tokens";
    console.log(`console ${server.url}/  (${how})`);
  } else if (!readable) console.log("note: no read token (role=read) among the tokens: /api/* answers 403 to every token");
  const auth = noAuth ? "" : ` -H "Authorization: Bearer ${generated?.generated ?? "<token>"}"`;
  console.log(`try: curl -sS${auth} -H "Content-Type: application/x-ndjson" --data-binary '{"msg":"hello","level":"info"}' ${server.url}/ingest`);
}

/** `--jetstream URL --stream NAME --publish-timeout T`: the JetStream store, connected and its stream checked (or created), or undefined without `--jetstream`. */
async function jetstreamFlags(str: (name: string) => string | undefined) {
  const url = str("jetstream");
  if (url === undefined) {
    for (const f of ["stream", "publish-timeout"]) if (str(f) !== undefined) throw new TypeError(`sluice serve: --${f} goes with --jetstream URL`);
    return undefined;
  }
  const servers = natsServers(url, "sluice serve");
  const stream = str("stream") ?? "LOGS";
  const publishTimeoutMs = str("publish-timeout") === undefined ? 5000 : positiveDuration(str("publish-timeout")!, "sluice serve: --publish-timeout");
  // loaded only with --jetstream: the NATS client is not part of the plain collector
  const { jetstreamStore } = await import("../collector/jetstream_store.ts");
  try {
    const store = await jetstreamStore({ servers, stream, publishTimeoutMs });
    const made = store.publisher.stream;
    if (made.action === "created") console.log(`created JetStream stream ${stream} (subjects ${made.config.subjects?.join(",")}, ${made.config.num_replicas} replica(s), file storage; sluice jetstream init makes other settings)`);
    return store;
  } catch (err) {
    throw new TypeError(`sluice serve: cannot use JetStream stream ${stream} at ${url}: ${errorMessage(err)}`);
  }
}
