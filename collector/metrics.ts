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
import { family, latencyFamily, type PromSample } from "./prometheus.ts";
import type { MemoryBudget } from "./memory_budget.ts";
import { MAX_CATEGORY_LENGTH } from "./token_names.ts";

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

  /**
   * @param routeFile The routes file's reloads taken and files rejected, with `--route`.
   * @param memory The bytes requests in flight hold, and their bound.
   */
  constructor(readonly routeFile?: { reloads: number; rejected: number }, readonly memory?: MemoryBudget) {}

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
      ...family("sluice_ingest_records_total", "counter", "Records received, by result.", Object.entries(this.records).map(([k, n]) => [{ result: k }, n])),
      ...family("sluice_ingest_requests_total", "counter", "Requests answered, by status.", [...this.requests].map(([s, n]) => [{ status: s }, n])),
      ...family("sluice_ingest_refused_total", "counter", "Requests refused by a bound: lines (--max-lines, 413), body-bytes (--max-body-bytes, 413), decompressed-bytes (413), concurrent-bodies (--max-concurrent-bodies, per token, 503), memory (--max-memory-bytes, 503), token-memory (half of it for one token, 503), body-timeout (--body-timeout, 408), body-rate (--min-body-rate, 408), rate (--rate-limit, 429).", [...this.refused].map(([b, n]) => [{ bound: b }, n])),
      ...(this.memory === undefined ? [] : [
        ...family("sluice_ingest_memory_bytes", "gauge", "Bytes the requests in flight hold now (bodies buffered and inflated, as reserved).", this.memory.held),
        ...family("sluice_ingest_memory_peak_bytes", "gauge", "The most bytes requests in flight held at once since the start.", this.memory.peak),
        ...family("sluice_ingest_memory_limit_bytes", "gauge", "--max-memory-bytes.", this.memory.maxBytes),
      ]),
      ...family("sluice_ingest_body_bytes_total", "counter", "Request body bytes received (on the wire).", this.bodyBytes),
      ...(disk === undefined ? [] : diskLines(disk)),
      ...store,
      ...family("sluice_identity_refused_total", "counter", `What the per-token bounds refused: requests for a producer name the token may not use (identity) or past --max-producers-per-token (producers); records moved to the overflow category for a reserved category (reserved), a new category longer than ${MAX_CATEGORY_LENGTH} UTF-16 units (long) or holding a lone surrogate (malformed), or past --max-categories-per-token (categories).`, Object.entries(identities?.refused ?? {}).map(([k, n]) => [{ bound: k }, n])),
      ...loggerLines("internal", "wrote", "written", "The collector's own records waiting to be written.", writer),
      ...(forwarder === undefined ? [] : loggerLines("forward", "forwarded to another collector or routed (sent or spooled)", "forwarded", "Records waiting to be forwarded or routed.", forwarder)),
      ...routeLines(forwarder?.sinks.find((s) => s.name === ROUTE_SINK_NAME)?.details as RouteStats | undefined, this.routeFile),
    ];
    return lines.join("\n") + "\n";
  }
}

/** The disk writer's lines, when the records go to the local files. */
function diskLines(disk: DiskWriter): string[] {
  return [
    ...family("sluice_writer_records_total", "counter", "Records written to disk, or refused (503) because the disk failed.", [[{ result: "written" }, disk.counts.written], [{ result: "refused" }, disk.counts.refused]]),
    ...family("sluice_disk_ready", "gauge", "1 while the disk takes writes, 0 while it refuses them (see /readyz for why).", disk.failure() === undefined ? 1 : 0),
    ...family("sluice_idempotency_keys", "gauge", "Idempotency-Keys remembered, over all tokens.", disk.keys.size),
    ...family("sluice_idempotency_keys_evicted_total", "counter", "Keys forgotten before their TTL because a token reached --max-idempotency-keys.", disk.keys.evicted),
    ...latencyFamily("sluice_writer_write_latency_ms", "A request's append to disk (and fsync with --durable).", disk.latency.summary()),
  ];
}

/** A logger's records by result (its written count under `done`, its drops by reason) and its queue. */
function loggerLines(name: string, verb: string, done: string, queueHelp: string, stats: LoggerStats): string[] {
  return [
    ...family(`sluice_${name}_records_total`, "counter", `Records the ${name} ${verb} or dropped, by result.`, [[{ result: done }, stats.written], ...Object.entries(stats.dropped).map(([k, n]): PromSample => [{ result: k }, n])]),
    ...family(`sluice_${name}_queue_records`, "gauge", queueHelp, stats.queued),
  ];
}

/** With `--route`: each target's records, share, breaker state, records in flight and spooled batches; the router's own counts; reloads. */
function routeLines(route: RouteStats | undefined, file: { reloads: number; rejected: number } | undefined): string[] {
  if (route === undefined) return [];
  const perTarget = (name: string, type: "counter" | "gauge", help: string, value: (t: RouteStats["targets"][number]) => number) =>
    family(`sluice_route_target_${name}`, type, help, route.targets.map((t) => [{ target: t.name }, value(t)]));
  return [
    ...perTarget("records_total", "counter", "Records each route target wrote.", (t) => t.written),
    ...perTarget("share", "gauge", "Each distribution target's part of the records routed (0..1; weight / total weight when healthy).", (t) => Number(t.share.toFixed(4))),
    ...perTarget("weight", "gauge", "Each target's configured weight.", (t) => t.weight),
    ...family("sluice_route_target_state", "gauge", "Each target's circuit breaker: 1 for its state (closed, open, half-open; retiring for a target a reload removed that is finishing its batches).", route.targets.map((t) => [{ target: t.name, state: t.state }, 1])),
    ...perTarget("inflight_records", "gauge", "Records handed to each target and not answered yet.", (t) => t.inflight),
    ...perTarget("spool_batches", "gauge", "Batches waiting in each target's spool (records that found no target up).", (t) => t.spooled),
    ...perTarget("failures_total", "counter", "Batches each target failed (refused, unreachable or timed out).", (t) => t.failures),
    ...family("sluice_route_records_total", "counter", "What the router did besides writing: failed_over (moved to another target), spooled (no target up), unmatched (no target's filters take it), and losses by reason.", [
      [{ result: "failed_over" }, route.failedOver],
      [{ result: "spooled" }, route.spooled],
      [{ result: "unmatched" }, route.unmatched],
      ...Object.entries(route.dropped).map(([k, n]): PromSample => [{ result: k }, n]),
    ]),
    ...family("sluice_route_reloads_total", "counter", "Reloads of the routes file: applied, or rejected (a bad file; the routes before are kept).", [[{ result: "applied" }, file?.reloads ?? 0], [{ result: "rejected" }, file?.rejected ?? 0]]),
  ];
}
