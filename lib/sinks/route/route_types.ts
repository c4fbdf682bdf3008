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
 * const a1: RouteTarget = { name: "a1", weight: 3, sink: httpSink("http://127.0.0.1:9001/ingest", { retry: { maxAttempts: 2 } }) };
 * ```
 */
export interface RouteTarget {
  /** A unique name, for stats and the hash ring. */
  name: string;
  /** The sink that writes this target's batches; its `write` rejecting is what counts as a failure. */
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
  /** Records waiting in the router's queue before `onFull` (`drop-newest`, counted `queue-full`). @default 10000 */
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
  /** Its breaker's state. */
  state: BreakerState;
  /** Records it wrote. */
  written: number;
  /** Its part of the records written by distribution targets (0..1; 0 for copies). */
  share: number;
  /** Records handed to it and not answered yet. */
  inflight: number;
  /** Batches that failed (rejected or timed out). */
  failures: number;
  /** Times its breaker opened. */
  opened: number;
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
  /** Records lost, by reason: `all-targets-down` when no target is up and none has a spool; `copy-failed` for a fan-out target's failed copy. */
  dropped: { "all-targets-down"?: number; "copy-failed"?: number };
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
  /** Each target's share, breaker state and records in flight, and the router's counters. */
  routeStats(): RouteStats;
}

