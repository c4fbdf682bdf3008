// The Prometheus text pieces every /metrics family is written with (collector/prometheus.ts).
import { expect, test } from "bun:test";
import { family, latencyFamily } from "../collector/prometheus.ts";

test("a family is HELP, TYPE and a line per sample; labels in order; a number is one bare sample", () => {
  expect(family("sluice_x_total", "counter", "Things.", [[{ result: "ok" }, 3], [{ target: "a1", state: "open" }, 1]])).toEqual([
    "# HELP sluice_x_total Things.",
    "# TYPE sluice_x_total counter",
    'sluice_x_total{result="ok"} 3',
    'sluice_x_total{target="a1",state="open"} 1',
  ]);
  expect(family("sluice_up", "gauge", "Up.", 0)).toEqual(["# HELP sluice_up Up.", "# TYPE sluice_up gauge", "sluice_up 0"]);
  expect(family("sluice_none_total", "counter", "Nothing yet.", [])).toEqual(["# HELP sluice_none_total Nothing yet.", "# TYPE sluice_none_total counter"]);
});

test("a latency summary gives p50, p95 and p99 as quantiles and its count", () => {
  expect(latencyFamily("sluice_w_ms", "A write.", { p50: 1.5, p95: 2, p99: 3, count: 9, max: 4, avg: 1 })).toEqual([
    "# HELP sluice_w_ms A write.",
    "# TYPE sluice_w_ms summary",
    'sluice_w_ms{quantile="0.50"} 1.5',
    'sluice_w_ms{quantile="0.95"} 2',
    'sluice_w_ms{quantile="0.99"} 3',
    "sluice_w_ms_count 9",
  ]);
});
