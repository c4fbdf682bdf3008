/**
 * The Prometheus text format's pieces, written once for every family the collector exposes:
 * a family's `# HELP` and `# TYPE` lines and its samples, and a latency summary.
 *
 * @module
 */
import type { LatencySummary } from "../lib/latency.ts";

/** One sample: its labels (none for a bare value) and its value. */
export type PromSample = [labels: Record<string, string | number> | undefined, value: number];

/**
 * A metric family's lines: `# HELP`, `# TYPE`, then a line per sample (`name{k="v",...} value`).
 *
 * @param name The family's name, `sluice_...`.
 * @param type `counter`, `gauge` or `summary`.
 * @param help What it counts.
 * @param samples The samples, or one value without labels.
 * @returns The lines.
 * @example
 * ```ts
 * import { family } from "./prometheus.ts";
 * family("sluice_x_total", "counter", "Things.", [[{ result: "ok" }, 3]]);
 * // ["# HELP sluice_x_total Things.", "# TYPE sluice_x_total counter", 'sluice_x_total{result="ok"} 3']
 * ```
 */
export function family(name: string, type: "counter" | "gauge" | "summary", help: string, samples: Iterable<PromSample> | number): string[] {
  const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`];
  for (const [labels, value] of typeof samples === "number" ? [[undefined, samples] as PromSample] : samples) {
    const l = labels === undefined ? "" : `{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(",")}}`;
    lines.push(`${name}${l} ${value}`);
  }
  return lines;
}

/**
 * A latency summary family: its p50, p95 and p99 as quantiles, and its count.
 *
 * @param name The family's name (`..._ms`).
 * @param help What it times.
 * @param latency The summary.
 * @returns The lines.
 * @example
 * ```ts
 * import { latencyFamily } from "./prometheus.ts";
 * latencyFamily("sluice_writer_write_latency_ms", "A write.", { count: 9, avg: 1, p50: 1, p95: 2, p99: 3, max: 4 }).at(-1); // "sluice_writer_write_latency_ms_count 9"
 * ```
 */
export function latencyFamily(name: string, help: string, latency: LatencySummary): string[] {
  return [
    ...family(name, "summary", help, (["p50", "p95", "p99"] as const).map((q) => [{ quantile: `0.${q.slice(1)}` }, latency[q]])),
    `${name}_count ${latency.count}`,
  ];
}
