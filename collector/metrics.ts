/**
 * The collector's counters, in Prometheus text format.
 *
 * @module
 */
import type { LoggerStats } from "../lib/logger.ts";

/**
 * Counters of the ingest app. `render` adds the writer's queue depth and write latency, and the
 * forwarder's counters when there is one.
 *
 * @example
 * ```ts
 * import { IngestMetrics } from "./metrics.ts";
 * const m = new IngestMetrics();
 * m.count("accepted", 10);
 * m.render(log.stats());
 * ```
 */
export class IngestMetrics {
  readonly records = { accepted: 0, rejected: 0, deduplicated: 0 };
  readonly requests = new Map<number, number>();
  bodyBytes = 0;

  /** Counts records by result. */
  count(result: keyof IngestMetrics["records"], n: number): void {
    this.records[result] += n;
  }

  /** Counts one answered request by status. */
  answered(status: number): void {
    this.requests.set(status, (this.requests.get(status) ?? 0) + 1);
  }

  /** The Prometheus text exposition. */
  render(writer: LoggerStats, forwarder?: LoggerStats): string {
    const lines = [
      "# HELP sluice_ingest_records_total Records received, by result.",
      "# TYPE sluice_ingest_records_total counter",
      ...Object.entries(this.records).map(([k, n]) => `sluice_ingest_records_total{result="${k}"} ${n}`),
      "# HELP sluice_ingest_requests_total Requests answered, by status.",
      "# TYPE sluice_ingest_requests_total counter",
      ...[...this.requests].map(([s, n]) => `sluice_ingest_requests_total{status="${s}"} ${n}`),
      "# HELP sluice_ingest_body_bytes_total Request body bytes received (on the wire).",
      "# TYPE sluice_ingest_body_bytes_total counter",
      `sluice_ingest_body_bytes_total ${this.bodyBytes}`,
      ...loggerLines("writer", "wrote", "written", "Records waiting to be written.", writer),
      "# HELP sluice_writer_write_latency_ms Batch write latency.",
      "# TYPE sluice_writer_write_latency_ms summary",
      ...(["p50", "p95", "p99"] as const).map((q) => `sluice_writer_write_latency_ms{quantile="0.${q.slice(1)}"} ${writer.flushLatencyMs[q]}`),
      `sluice_writer_write_latency_ms_count ${writer.flushLatencyMs.count}`,
      ...(forwarder === undefined ? [] : loggerLines("forward", "forwarded to another collector (sent or spooled)", "forwarded", "Records waiting to be forwarded.", forwarder)),
    ];
    return lines.join("\n") + "\n";
  }
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
