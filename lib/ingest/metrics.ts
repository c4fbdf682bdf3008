/**
 * The collector's counters, in Prometheus text format.
 *
 * @module
 */
import type { LoggerStats } from "../logger.ts";

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
      "# HELP sluice_writer_records_total Records the writer wrote or dropped, by result.",
      "# TYPE sluice_writer_records_total counter",
      `sluice_writer_records_total{result="written"} ${writer.written}`,
      ...Object.entries(writer.dropped).map(([k, n]) => `sluice_writer_records_total{result="${k}"} ${n}`),
      "# HELP sluice_writer_queue_records Records waiting to be written.",
      "# TYPE sluice_writer_queue_records gauge",
      `sluice_writer_queue_records ${writer.queued}`,
      "# HELP sluice_writer_write_latency_ms Batch write latency.",
      "# TYPE sluice_writer_write_latency_ms summary",
      ...(["p50", "p95", "p99"] as const).map((q) => `sluice_writer_write_latency_ms{quantile="0.${q.slice(1)}"} ${writer.flushLatencyMs[q]}`),
      `sluice_writer_write_latency_ms_count ${writer.flushLatencyMs.count}`,
      ...(forwarder === undefined ? [] : [
        "# HELP sluice_forward_records_total Records forwarded to another collector (sent or spooled) or dropped, by result.",
        "# TYPE sluice_forward_records_total counter",
        `sluice_forward_records_total{result="forwarded"} ${forwarder.written}`,
        ...Object.entries(forwarder.dropped).map(([k, n]) => `sluice_forward_records_total{result="${k}"} ${n}`),
        "# HELP sluice_forward_queue_records Records waiting to be forwarded.",
        "# TYPE sluice_forward_queue_records gauge",
        `sluice_forward_queue_records ${forwarder.queued}`,
      ]),
    ];
    return lines.join("\n") + "\n";
  }
}
