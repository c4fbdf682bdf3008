/**
 * The collector's counters, in Prometheus text format.
 *
 * @module
 */
import type { LoggerStats } from "../lib/logger_stats.ts";
import type { DiskWriter } from "./disk_writer.ts";
import type { Identities } from "./identity.ts";
import type { RouteStats } from "../lib/sinks/route/route_types.ts";
import { ROUTE_SINK_NAME } from "./route_file.ts";

/**
 * Counters of the ingest app. `render` adds the writer's queue depth and write latency, and the
 * forwarder's counters when there is one.
 *
 * @example
 * ```ts
 * import { IngestMetrics } from "./metrics.ts";
 * const m = new IngestMetrics();
 * m.count("accepted", 10);
 * m.render(disk, log.stats());
 * ```
 */
export class IngestMetrics {
  readonly records = { accepted: 0, rejected: 0, deduplicated: 0 };
  readonly requests = new Map<number, number>();
  /** Requests refused by a bound, by bound. */
  readonly refused = new Map<string, number>();
  bodyBytes = 0;

  /** @param routeFile The routes file's reloads taken and files rejected, with `--route`. */
  constructor(readonly routeFile?: { reloads: number; rejected: number }) {}

  /** Counts records by result. */
  count(result: keyof IngestMetrics["records"], n: number): void {
    this.records[result] += n;
  }

  /** Counts one request refused by a bound (`lines`, `body-bytes`, `rate`, ...). */
  refuse(bound: string): void {
    this.refused.set(bound, (this.refused.get(bound) ?? 0) + 1);
  }

  /** Counts one answered request by status. */
  answered(status: number): void {
    this.requests.set(status, (this.requests.get(status) ?? 0) + 1);
  }

  /** The Prometheus text exposition: these counters, the disk writer's, the collector's own logger's, the forwarder's. */
  render(disk: DiskWriter | undefined, writer: LoggerStats, forwarder?: LoggerStats, identities?: Identities, store: string[] = []): string {
    const lines = [
      "# HELP sluice_ingest_records_total Records received, by result.",
      "# TYPE sluice_ingest_records_total counter",
      ...Object.entries(this.records).map(([k, n]) => `sluice_ingest_records_total{result="${k}"} ${n}`),
      "# HELP sluice_ingest_requests_total Requests answered, by status.",
      "# TYPE sluice_ingest_requests_total counter",
      ...[...this.requests].map(([s, n]) => `sluice_ingest_requests_total{status="${s}"} ${n}`),
      "# HELP sluice_ingest_refused_total Requests refused by a bound: lines (--max-lines, 413), body-bytes (--max-body-bytes, 413), decompressed-bytes (413), concurrent-bodies (--max-concurrent-bodies, 503), rate (--rate-limit, 429).",
      "# TYPE sluice_ingest_refused_total counter",
      ...[...this.refused].map(([b, n]) => `sluice_ingest_refused_total{bound="${b}"} ${n}`),
      "# HELP sluice_ingest_body_bytes_total Request body bytes received (on the wire).",
      "# TYPE sluice_ingest_body_bytes_total counter",
      `sluice_ingest_body_bytes_total ${this.bodyBytes}`,
      ...(disk === undefined ? [] : diskLines(disk)),
      ...store,
      "# HELP sluice_identity_refused_total What the per-token bounds refused: requests for a producer name the token may not use (identity) or past --max-producers-per-token (producers); records moved to the overflow category for a reserved category (reserved) or past --max-categories-per-token (categories).",
      "# TYPE sluice_identity_refused_total counter",
      ...Object.entries(identities?.refused ?? {}).map(([k, n]) => `sluice_identity_refused_total{bound="${k}"} ${n}`),
      ...loggerLines("internal", "wrote", "written", "The collector's own records waiting to be written.", writer),
      ...(forwarder === undefined ? [] : loggerLines("forward", "forwarded to another collector or routed (sent or spooled)", "forwarded", "Records waiting to be forwarded or routed.", forwarder)),
      ...routeLines(forwarder?.sinks.find((s) => s.name === ROUTE_SINK_NAME)?.details as RouteStats | undefined, this.routeFile),
    ];
    return lines.join("\n") + "\n";
  }
}

/** The disk writer's lines, when the records go to the local files. */
function diskLines(disk: DiskWriter): string[] {
  const failure = disk.failure();
  const latency = disk.latency.summary();
  return [
    "# HELP sluice_writer_records_total Records written to disk, or refused (503) because the disk failed.",
    "# TYPE sluice_writer_records_total counter",
    `sluice_writer_records_total{result="written"} ${disk.counts.written}`,
    `sluice_writer_records_total{result="refused"} ${disk.counts.refused}`,
    "# HELP sluice_disk_ready 1 while the disk takes writes, 0 while it refuses them (see /readyz for why).",
    "# TYPE sluice_disk_ready gauge",
    `sluice_disk_ready ${failure === undefined ? 1 : 0}`,
    "# HELP sluice_idempotency_keys Idempotency-Keys remembered, over all tokens.",
    "# TYPE sluice_idempotency_keys gauge",
    `sluice_idempotency_keys ${disk.keys.size}`,
    "# HELP sluice_idempotency_keys_evicted_total Keys forgotten before their TTL because a token reached --max-idempotency-keys.",
    "# TYPE sluice_idempotency_keys_evicted_total counter",
    `sluice_idempotency_keys_evicted_total ${disk.keys.evicted}`,
    "# HELP sluice_writer_write_latency_ms A request's append to disk (and fsync with --durable).",
    "# TYPE sluice_writer_write_latency_ms summary",
    ...(["p50", "p95", "p99"] as const).map((q) => `sluice_writer_write_latency_ms{quantile="0.${q.slice(1)}"} ${latency[q]}`),
    `sluice_writer_write_latency_ms_count ${latency.count}`,
  ];
}

/** A logger's records by result (its written count under `done`, its drops by reason) and its queue. */
function loggerLines(name: string, verb: string, done: string, queueHelp: string, stats: LoggerStats): string[] {
  return [
    `# HELP sluice_${name}_records_total Records the ${name} ${verb} or dropped, by result.`,
    `# TYPE sluice_${name}_records_total counter`,
    `sluice_${name}_records_total{result="${done}"} ${stats.written}`,
    ...Object.entries(stats.dropped).map(([k, n]) => `sluice_${name}_records_total{result="${k}"} ${n}`),
    `# HELP sluice_${name}_queue_records ${queueHelp}`,
    `# TYPE sluice_${name}_queue_records gauge`,
    `sluice_${name}_queue_records ${stats.queued}`,
  ];
}

/** With `--route`: each target's records, share, breaker state, records in flight and spooled batches; the router's own counts; reloads. */
function routeLines(route: RouteStats | undefined, file: { reloads: number; rejected: number } | undefined): string[] {
  if (route === undefined) return [];
  const gauge = (name: string, help: string, type: string, value: (t: RouteStats["targets"][number]) => number) => [
    `# HELP sluice_route_target_${name} ${help}`,
    `# TYPE sluice_route_target_${name} ${type}`,
    ...route.targets.map((t) => `sluice_route_target_${name}{target="${t.name}"} ${value(t)}`),
  ];
  return [
    ...gauge("records_total", "Records each route target wrote.", "counter", (t) => t.written),
    ...gauge("share", "Each distribution target's part of the records routed (0..1; weight / total weight when healthy).", "gauge", (t) => Number(t.share.toFixed(4))),
    ...gauge("weight", "Each target's configured weight.", "gauge", (t) => t.weight),
    "# HELP sluice_route_target_state Each target's circuit breaker: 1 for its state (closed, open, half-open; retiring for a target a reload removed that is finishing its batches).",
    "# TYPE sluice_route_target_state gauge",
    ...route.targets.map((t) => `sluice_route_target_state{target="${t.name}",state="${t.state}"} 1`),
    ...gauge("inflight_records", "Records handed to each target and not answered yet.", "gauge", (t) => t.inflight),
    ...gauge("spool_batches", "Batches waiting in each target's spool (records that found no target up).", "gauge", (t) => t.spooled),
    ...gauge("failures_total", "Batches each target failed (refused, unreachable or timed out).", "counter", (t) => t.failures),
    "# HELP sluice_route_records_total What the router did besides writing: failed_over (moved to another target), spooled (no target up), unmatched (no target's filters take it), and losses by reason.",
    "# TYPE sluice_route_records_total counter",
    `sluice_route_records_total{result="failed_over"} ${route.failedOver}`,
    `sluice_route_records_total{result="spooled"} ${route.spooled}`,
    `sluice_route_records_total{result="unmatched"} ${route.unmatched}`,
    ...Object.entries(route.dropped).map(([k, n]) => `sluice_route_records_total{result="${k}"} ${n}`),
    "# HELP sluice_route_reloads_total Reloads of the routes file: applied, or rejected (a bad file; the routes before are kept).",
    "# TYPE sluice_route_reloads_total counter",
    `sluice_route_reloads_total{result="applied"} ${file?.reloads ?? 0}`,
    `sluice_route_reloads_total{result="rejected"} ${file?.rejected ?? 0}`,
  ];
}
