/**
 * The options and counters of the routing sink.
 *
 * @module
 */
import type { LevelName } from "../../levels.ts";
import type { LogRecord } from "../../record.ts";
import type { Sink } from "../../sink.ts";
import type { BatchLimits } from "../../stream/batcher.ts";
import type { BreakerOptions, BreakerState } from "./breaker.ts";

/**
 * One destination of a {@linkcode routeSink}.
 *
 * @example
 * ```ts
 * import type { RouteTarget } from "./route_types.ts";
 * import { httpSink } from "../http_sink.ts";
 * const a1: RouteTarget = { name: "a1", weight: 3, sink: httpSink("http://127.0.0.1:9001/ingest") };
 * ```
 */
export interface RouteTarget {
  /** A unique name, for stats and the hash ring. */
  name: string;
  /**
   * The sink that writes this target's batches; its `write` rejecting is what counts as a failure.
   * A distribution target is told through `routed` that the router's breaker is its retry policy.
   */
  // deno-lint-ignore no-explicit-any -- each target's chunk type is its own
  sink: Sink<any>;
  /** Its share of the records. @default 1 */
  weight?: number;
  /** The lowest level it takes. */
  level?: LevelName;
  /** Takes only records whose category starts with this. */
  categoryPrefix?: string;
  /** Takes only records this returns true for. */
  filter?: (record: LogRecord) => boolean;
  /** A fan-out target (an archive): gets a copy of every record its filters take, outside the distribution. */
  copy?: boolean;
  /** Batches waiting in its spool, for stats (the collector counts a target's spool directory). */
  spooled?: () => number;
}

/**
 * Options of {@linkcode routeSink}.
 *
 * @example
 * ```ts
 * import type { RouteSinkOptions } from "./route_types.ts";
 * const options: RouteSinkOptions = { targets: [], key: (r) => r.category, breaker: { failures: 5, openMs: 5_000 } };
 * ```
 */
export interface RouteSinkOptions {
  /** The targets. */
  targets: RouteTarget[];
  /** Sticky routing: records with the same key go to the same target (consistent hashing); `undefined` routes by weight. */
  key?: (record: LogRecord) => string | undefined;
  /** The circuit breaker of each target. */
  breaker?: BreakerOptions;
  /** A name for stats. @default "route" */
  name?: string;
  /** Batch limits of the router's queue. */
  batch?: BatchLimits<LogRecord>;
  /** Records waiting in the router's queue before `onFull` (`drop-newest`, counted `queue-full`); also the most records handed to targets and not yet written before the router waits. @default 10000 */
  maxQueuedRecords?: number;
  /** The clock, in milliseconds. @default Date.now */
  now?: () => number;
}

/**
 * One target's counters in {@linkcode RouteSink.routeStats}.
 *
 * @example
 * ```ts
 * import { routeSink, streamSink } from "../../../mod.ts";
 * const route = routeSink({ targets: [{ name: "a", sink: streamSink(new WritableStream()) }] });
 * for (const t of route.routeStats().targets) console.log(t.name, t.state, t.share, t.inflight);
 * ```
 */
export interface RouteTargetStats {
  /** The target's name. */
  name: string;
  /** Its weight in the distribution. */
  weight: number;
  /** A fan-out target, outside the distribution. */
  copy: boolean;
  /** Its breaker's state, or `retiring`: removed by `reconfigure`, finishing the writes it has in flight. */
  state: BreakerState | "retiring";
  /** Records it wrote. */
  written: number;
  /** Its part of the records written by distribution targets (0..1; 0 for copies). */
  share: number;
  /** Records handed to it and not answered yet: being written, or waiting for its write in flight. */
  inflight: number;
  /** Batches that failed (rejected or timed out). */
  failures: number;
  /** Times its breaker opened. */
  opened: number;
  /** Batches waiting in its spool (0 without a `spooled` counter). */
  spooled: number;
}

/**
 * The router's counters.
 *
 * @example
 * ```ts
 * import { routeSink, streamSink } from "../../../mod.ts";
 * const route = routeSink({ targets: [{ name: "a", sink: streamSink(new WritableStream()) }] });
 * const { targets, failedOver, spooled, unmatched, dropped } = route.routeStats();
 * ```
 */
export interface RouteStats {
  /** Each target's counters, in the order of `targets`. */
  targets: RouteTargetStats[];
  /** Records moved to another target after theirs failed. */
  failedOver: number;
  /** Records written to a target's spool because no target was up. */
  spooled: number;
  /** Records no target's filters take (not an error, like Vector's `_unmatched`). */
  unmatched: number;
  /** Times `reconfigure` replaced the configuration. */
  reconfigured: number;
  /** Records lost, by reason: `all-targets-down` when no target is up and none has a spool; `copy-failed` for a fan-out target's failed copy; `exit` for what the targets held at the process's exit that no spool took. */
  dropped: { "all-targets-down"?: number; "copy-failed"?: number; exit?: number };
}

/**
 * A {@linkcode routeSink}: a sink, plus its routing counters.
 *
 * @example
 * ```ts
 * import { routeSink, streamSink } from "../../../mod.ts";
 * const route = routeSink({ targets: [{ name: "a", sink: streamSink(new WritableStream()) }] });
 * route.routeStats().targets[0].written; // 0
 * ```
 */
export interface RouteSink extends Sink<LogRecord[]> {
  /** Each target's share, breaker state and records in flight, and the router's counters (also `details` in `log.stats().sinks`). */
  routeStats(): RouteStats;
  /**
   * Replaces the targets, weights, filters, key and breaker without losing or doubling a
   * record. A target with the same name and the same `sink` object stays (its counters, its
   * breaker unless the breaker options changed, its writes in flight). A removed target takes
   * no new records; the batches it has in flight stay with it (one that fails moves on to the
   * current targets), then it is flushed and closed: what its own spool still holds stays in
   * that spool. Throws on a bad configuration, keeping the old one. `name`, `batch` and
   * `maxQueuedRecords` stay as they were made.
   *
   * @example
   * ```ts
   * import { routeSink, streamSink } from "../../../mod.ts";
   * const [a1, a3] = [streamSink(new WritableStream()), streamSink(new WritableStream())];
   * const route = routeSink({ targets: [{ name: "a1", sink: a1 }] });
   * route.reconfigure({ targets: [{ name: "a1", weight: 1, sink: a1 }, { name: "a3", weight: 2, sink: a3 }] });
   * ```
   */
  reconfigure(options: RouteSinkOptions): void;
}

