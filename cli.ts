#!/usr/bin/env node
/**
 * The `sluice` command: `sluice serve` runs the collector; `sluice load` drives a logger with
 * the seed's multi-event workload; `sluice tail` shows log files as they grow.
 *
 * ```sh
 * npx sluice load --events a=350,b=350,c=300 --duration 30s --json
 * bun cli.ts load --events a=500,b=0,c=0 --dir ./logs/load
 * npx sluice tail ./logs -f --level warn
 * ```
 *
 * @module
 */
import { categoryFileSink, createLogger, detectRuntime, httpSink, LEVEL_NAMES, type LevelName, textFormatter } from "./mod.ts";
import { FileTail } from "./tools/tail/file_tail.ts";
import type { TailLine } from "./tools/tail/tail_line.ts";
import { LatencyRecorder } from "./lib/latency.ts";
import { parseDuration, parseEvents, parseFlags } from "./tools/flags.ts";
import { formatLoadReport } from "./tools/load/report.ts";
import { runLoad } from "./tools/load/run_load.ts";
import { parseTokens, serve, type TokenEntry } from "./server.ts";

const USAGE = `usage: sluice <command> [flags]

commands:
  load    replay the multi-event workload in one process and report throughput and flush latency
          --events a=350,b=350,c=300   records/s per event (0 allowed)       default a=350,b=350,c=300
          --duration 30s               how long to produce                    default 30s
          --concurrency 4              producers, shared among active events  default 4
          --rotation-interval 1h       rotate each event's file (hourly, daily or a duration)
          --max-bytes 50000000         rotate each event's file by size
          --max-open-files 32          descriptors open at once               default 32
          --dir ./logs/load            where the files go (emptied first)     default ./logs/load
          --durable                    fsync on every flush
          --target http://host/ingest  drive a collector through httpSink instead of local files
          --token TOKEN                the collector's token (or env SLUICE_TOKEN)
          --gzip                       gzip request bodies (with --target)
          --json                       print the report as JSON
  serve   run the collector
          --port 8080  --host 127.0.0.1  --dir ./logs
          --tokens FILE                name:token lines, or name:token:producers=edge-*,web to let a token
                                       speak as those producers too (or env SLUICE_TOKENS="name:token,...");
                                       with neither, a token is generated once into <dir>/.sluice/tokens
          --no-auth                    accept requests without a token (explicitly)
          --tls-cert FILE --tls-key FILE   serve HTTPS
          --max-body-bytes 8388608  --rate-limit 100000 (records/s per token)  --durable
          --body-timeout 30s           a request body that takes longer is answered 408
          --max-idempotency-keys 100000  Idempotency-Keys remembered per token (a day); past it the oldest is forgotten
          --forward URL                also forward every record to another collector's /ingest
          --forward-token TOKEN        its token (or env SLUICE_FORWARD_TOKEN)
          --forward-spool DIR          where batches wait while it is away   default <dir>/.sluice/forward-spool
          --trust-forwarder NAME,...   tokens of collectors forwarding here: their records keep their producer
          --max-producers-per-token 1000   producer names one token may use; past it a new name gets 403
          --max-categories-per-token 1000  categories one token may create; further ones go to "overflow"
          --public-metrics             answer GET /metrics and /producers without a token (default: any valid token)
  tail    show the last records of log files, merged by time, and follow them
          sluice tail [PATH...]         files, or directories of .ndjson files   default ./logs
          --lines 10                    records shown first                     default 10
          --follow, -f                  keep showing records as they are written (across rotation)
          --level warn  --category http  --producer edge-1   only those records (http takes http.*)
          --json                        print the lines as written (default: text, colour on a TTY)
          --interval 250ms              how often to look when following        default 250ms
  help    this text`;

const proc = (globalThis as any).process;

async function load(args: string[]): Promise<void> {
  const flags = parseFlags(args, ["json", "durable", "gzip"]);
  const known = ["events", "duration", "concurrency", "rotation-interval", "max-bytes", "max-open-files", "dir", "durable", "json", "target", "token", "gzip"];
  const unknown = Object.keys(flags).filter((f) => !known.includes(f));
  if (unknown.length) throw new TypeError(`sluice load: unknown flag --${unknown[0]}\n\n${USAGE}`);
  const events = parseEvents(flags.events ?? "a=350,b=350,c=300");
  const concurrency = Number(flags.concurrency ?? 4);
  if (!(Number.isInteger(concurrency) && concurrency >= 1)) throw new TypeError(`sluice load: --concurrency must be a whole number ≥ 1`);
  const ri = flags["rotation-interval"];
  const interval = ri === undefined ? undefined : ri === "hourly" || ri === "daily" ? ri : parseDuration(ri);
  const dir = flags.dir ?? "./logs/load";
  const fs = proc.getBuiltinModule("node:fs");
  const target = flags.target;
  if (!target) fs.rmSync(dir, { recursive: true, force: true });
  let errors = 0;
  const endToEnd = new LatencyRecorder();
  const sink = target
    ? httpSink(target, {
      token: flags.token ?? proc.env.SLUICE_TOKEN,
      gzip: flags.gzip === "true",
      batch: { maxAgeMs: 20 },
      maxQueuedRecords: 1_000_000,
      onDelivered: ({ oldestMs }) => endToEnd.record(Date.now() - oldestMs),
    })
    : categoryFileSink(dir, {
      maxOpenFiles: Number(flags["max-open-files"] ?? 32),
      durable: flags.durable === "true",
      rotate: { interval, maxBytes: flags["max-bytes"] ? Number(flags["max-bytes"]) : undefined },
    });
  const log = createLogger({
    sinks: [sink],
    onError: (err) => {
      errors++;
      console.error(String(err));
    },
  });
  const report = await runLoad(
    { events, durationMs: parseDuration(flags.duration ?? "30s"), concurrency, logger: log, rss: () => proc.memoryUsage().rss },
    () => errors,
  );
  await log.close();
  if (target) {
    const e2e = endToEnd.summary();
    console.log(flags.json === "true" ? JSON.stringify({ ...report, endToEndMs: e2e }) : formatLoadReport(report) +
      `\n  end to end     p50 ${e2e.p50} ms  p99 ${e2e.p99}  max ${e2e.max}  (log call to 2xx, oldest record of each batch)`);
    return;
  }
  const bytes = (fs.readdirSync(dir) as string[]).reduce((n, f) => n + fs.statSync(`${dir}/${f}`).size, 0);
  console.log(flags.json === "true" ? JSON.stringify({ ...report, bytes }) : formatLoadReport(report, bytes));
}

async function serveCommand(args: string[]): Promise<void> {
  const flags = parseFlags(args, ["no-auth", "durable", "public-metrics"]);
  const known = ["port", "host", "dir", "tokens", "no-auth", "tls-cert", "tls-key", "max-body-bytes", "rate-limit", "durable", "body-timeout", "forward", "forward-token", "forward-spool", "trust-forwarder", "max-idempotency-keys", "max-producers-per-token", "max-categories-per-token", "public-metrics"];
  const unknown = Object.keys(flags).filter((f) => !known.includes(f));
  if (unknown.length) throw new TypeError(`sluice serve: unknown flag --${unknown[0]}\n\n${USAGE}`);
  const fs = proc.getBuiltinModule("node:fs");
  const dir = flags.dir ?? "./logs";
  let tokens: TokenEntry[] = [];
  let generated: string | undefined;
  if (flags.tokens) tokens = parseTokens(fs.readFileSync(flags.tokens, "utf8"));
  else if (proc.env.SLUICE_TOKENS) tokens = parseTokens(proc.env.SLUICE_TOKENS.split(",").join("\n"));
  else if (flags["no-auth"] !== "true") {
    const file = `${dir}/.sluice/tokens`;
    if (!fs.existsSync(file)) {
      generated = crypto.randomUUID().replaceAll("-", "");
      fs.mkdirSync(`${dir}/.sluice`, { recursive: true });
      fs.writeFileSync(file, `default:${generated}\n`, { mode: 0o600 });
    }
    tokens = parseTokens(fs.readFileSync(file, "utf8"));
    if (!generated) console.log(`using the tokens in ${file}`);
  }
  const tls = flags["tls-cert"] ? { cert: fs.readFileSync(flags["tls-cert"], "utf8"), key: fs.readFileSync(flags["tls-key"], "utf8") } : undefined;
  const rate = Number(flags["rate-limit"] ?? 100_000);
  const forwardToken = flags["forward-token"] ?? proc.env.SLUICE_FORWARD_TOKEN;
  const trustedForwarders = flags["trust-forwarder"]?.split(",").map((n) => n.trim()).filter(Boolean) ?? [];
  if (flags.forward !== undefined && !/^https?:\/\/[^/]/.test(flags.forward)) throw new TypeError(`sluice serve: --forward must be a URL such as https://central.example.com/ingest, got ${JSON.stringify(flags.forward)}`);
  const server = await serve({
    port: Number(flags.port ?? 8080),
    hostname: flags.host ?? "127.0.0.1",
    dir,
    tokens,
    noAuth: flags["no-auth"] === "true",
    tls,
    maxBodyBytes: flags["max-body-bytes"] ? Number(flags["max-body-bytes"]) : undefined,
    rateLimit: { recordsPerSec: rate, burst: rate * 2 },
    durable: flags.durable === "true",
    bodyTimeoutMs: flags["body-timeout"] === undefined ? undefined : positiveDuration(flags["body-timeout"], "sluice serve: --body-timeout"),
    forward: flags.forward === undefined ? undefined : {
      url: flags.forward,
      token: forwardToken,
      spool: flags["forward-spool"],
    },
    trustedForwarders,
    maxIdempotencyKeys: flags["max-idempotency-keys"] === undefined ? undefined : Number(flags["max-idempotency-keys"]),
    maxProducersPerToken: flags["max-producers-per-token"] === undefined ? undefined : Number(flags["max-producers-per-token"]),
    maxCategoriesPerToken: flags["max-categories-per-token"] === undefined ? undefined : Number(flags["max-categories-per-token"]),
    publicMetrics: flags["public-metrics"] === "true",
  });
  console.log(`sluice collector listening on ${server.url}, writing to ${dir}${flags.forward ? `, forwarding to ${flags.forward}` : ""}`);
  if (flags.forward !== undefined && !forwardToken) {
    console.warn("warning: --forward without --forward-token or SLUICE_FORWARD_TOKEN: a collector that needs a token will refuse every batch (they wait in the spool)");
  }
  for (const name of trustedForwarders) {
    if (!tokens.some((t) => t.name === name)) console.warn(`warning: --trust-forwarder ${name} names no token in use`);
  }
  if (generated) console.log(`generated a token (kept in ${dir}/.sluice/tokens; shown once): ${generated}`);
  const auth = flags["no-auth"] === "true" ? "" : ` -H "Authorization: Bearer ${generated ?? "<token>"}"`;
  console.log(`try: curl -sS${auth} -H "Content-Type: application/x-ndjson" --data-binary '{"msg":"hello","level":"info"}' ${server.url}/ingest`);
}

/** A duration flag that must be more than zero. */
function positiveDuration(text: string, flag: string): number {
  const ms = parseDuration(text);
  if (!(ms > 0)) throw new TypeError(`${flag} must be more than 0, got ${JSON.stringify(text)}`);
  return ms;
}

async function tail(args: string[]): Promise<void> {
  const paths: string[] = [];
  const flags = parseFlags(args.map((a) => (a === "-f" ? "--follow" : a)), ["follow", "json"], paths);
  const known = ["lines", "follow", "level", "category", "producer", "json", "interval"];
  const unknown = Object.keys(flags).filter((f) => !known.includes(f));
  if (unknown.length) throw new TypeError(`sluice tail: unknown flag --${unknown[0]}\n\n${USAGE}`);
  const level = flags.level as LevelName | undefined;
  if (level !== undefined && !LEVEL_NAMES.includes(level)) throw new TypeError(`sluice tail: --level must be one of ${LEVEL_NAMES.join(", ")}`);
  const lines = Number(flags.lines ?? 10);
  if (!(Number.isInteger(lines) && lines >= 0)) throw new TypeError(`sluice tail: --lines must be a whole number, got ${JSON.stringify(flags.lines)}`);
  const interval = positiveDuration(flags.interval ?? "250ms", "sluice tail: --interval");
  const runtime = detectRuntime();
  const text = textFormatter({ color: runtime.isTerminal() });
  const json = flags.json === "true";
  const print = (l: TailLine) => (json || l.record === undefined ? l.raw : text(l.record));
  let out: string[] = [];
  const t = new FileTail(paths.length ? paths : ["./logs"], {
    fs: runtime.fs!,
    lines,
    filter: { level, category: flags.category, producer: flags.producer },
    onLine: (l) => out.push(print(l)),
    onWarning: (m) => console.error(m),
  });
  const show = () => {
    if (out.length) proc.stdout.write(out.join("\n") + "\n");
    out = [];
  };
  t.showLast();
  show();
  if (flags.follow !== "true") return t.close();
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      try {
        t.poll();
        show();
      } catch (err) {
        console.error(String((err as Error)?.message ?? err));
      }
    }, interval);
    const stop = () => (clearInterval(timer), t.close(), resolve());
    proc.once("SIGINT", stop);
    proc.once("SIGTERM", stop);
  });
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "load":
        await load(rest);
        return 0;
      case "serve":
        await serveCommand(rest);
        return 0;
      case "tail":
        await tail(rest);
        return 0;
      case "help":
      case "--help":
      case undefined:
        console.log(USAGE);
        return command === undefined ? 2 : 0;
      default:
        console.error(`sluice: unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
        return 2;
    }
  } catch (err) {
    // our own errors say what is wrong and start with "sluice"; anything else is a bug: its stack helps
    const message = String((err as Error)?.message ?? err);
    console.error(err instanceof TypeError || message.startsWith("sluice") ? message : String((err as Error)?.stack ?? err));
    return 1;
  }
}

const code = await main(proc.argv.slice(2));
if (code !== 0) proc.exitCode = code;
