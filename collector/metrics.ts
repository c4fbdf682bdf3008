/**
 * The collector's counters, in Prometheus text format.
 *
 * @module
 */
import type { LoggerStats } from "../lib/logger_stats.ts";
import type { DiskWriter } from "./disk_writer.ts";
import type { Identities } from "./identity.ts";

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
      ...(forwarder === undefined ? [] : loggerLines("forward", "forwarded to another collector (sent or spooled)", "forwarded", "Records waiting to be forwarded.", forwarder)),
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
