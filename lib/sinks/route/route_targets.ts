/**
 * A routing sink's table of targets: each target's breaker and counters, kept across a
 * reconfiguration for the targets that stay.
 *
 * @module
 */
import { levelValue } from "../../levels.ts";
import type { LogRecord } from "../../record.ts";
import { Breaker, type BreakerOptions } from "./breaker.ts";
import { HashRing } from "./hash_ring.ts";
import type { RouteSinkOptions, RouteStats, RouteTarget, RouteTargetStats } from "./route_types.ts";

/**
 * One target and its live state.
 *
 * @example
 * ```ts
 * const t = table.distributed[0]; t.written; t.breaker.state;
 * ```
 */
export interface Target {
  spec: RouteTarget;
  readonly name: string;
  weight: number;
  minLevel: number;
  breaker: Breaker;
  /** The smooth weighted round-robin counter. */
  current: number;
  written: number;
  inflight: number;
  failures: number;
  /** Parts handed to it and not answered yet, waiting or being written (a removed target closes once they are). */
  readonly pending: Set<Promise<unknown>>;
  /** Parts waiting for its write in flight (one at a time per target), and when the router took each (`performance.now()`). */
  readonly waiting: { records: LogRecord[]; resolve(written: boolean): void; at: number }[];
  /** True while a write to it is in flight. */
  busy: boolean;
  /** True while that write is unanswered past `timeoutMs`: it is picked for nothing until it ends. */
  stuck: boolean;
  /**
   * True from a part that waited at it, or was being written, past `STALLED_WRITE_MS` until it
   * has nothing waiting or in flight: each part handed to it meanwhile keeps messages of its own
   * (`keepOwnMessage`; see target_turns.ts).
   */
  slow: boolean;
  /** The records of its write in flight. */
  writing?: readonly LogRecord[];
  /** The records of its last write not known written, and the chunk they were encoded into (see {@linkcode encodeFor}). */
  lastSent?: { records: readonly LogRecord[]; chunk: unknown };
}

/**
 * `records` encoded for `t`'s sink: the chunk of its last write not known written when they are
 * the same records. An httpSink's chunk carries the batch's Idempotency-Key, so records given up
 * at the breaker's timeout and written again to the same target (its spool, when no other target
 * is up) keep their key, and a collector that wrote them while the write hung writes them once.
 *
 * @param t The target.
 * @param records The records, in order.
 * @param remember Keeps the chunk as `t`'s last write's (a write does; a spool of other records must not replace it).
 * @returns What `t.spec.sink.write` takes.
 * @example
 * ```ts
 * await t.spec.sink.write(encodeFor(t, records));
 * ```
 */
export function encodeFor(t: Target, records: readonly LogRecord[], remember = true): unknown {
  const last = t.lastSent;
  if (last !== undefined && last.records.length === records.length && last.records.every((r, i) => r === records[i])) return last.chunk;
  const chunk = t.spec.sink.encode(records as LogRecord[]);
  if (remember) t.lastSent = { records, chunk };
  return chunk;
}

/**
 * The targets of one configuration: those records are distributed over (with the hash ring
 * when routing is sticky) and the fan-out copies.
 *
 * @example
 * ```ts
 * const table = makeTable(options, undefined, Date.now);
 * ```
 */
export interface TargetTable {
  readonly all: Target[];
  readonly distributed: Target[];
  readonly copies: Target[];
  readonly ring: HashRing<Target> | undefined;
  readonly key: RouteSinkOptions["key"];
  readonly timeoutMs: number;
  readonly breaker: BreakerOptions;
}

/**
 * Checks `options` and makes its table. A target of `previous` with the same name and the same
 * `sink` object is kept (its breaker, counters and writes in flight), with this configuration's
 * weight and filters; its breaker is new only when the breaker options changed.
 *
 * @param options The configuration.
 * @param previous The table it replaces, if any.
 * @param now The clock.
 * @returns The table; throws a TypeError or RangeError naming the bad target.
 * @example
 * ```ts
 * const next = makeTable({ targets }, current, Date.now);
 * ```
 */
export function makeTable(options: RouteSinkOptions, previous: TargetTable | undefined, now: () => number): TargetTable {
  const breaker = options.breaker ?? {};
  const sameBreaker = previous !== undefined && JSON.stringify(previous.breaker) === JSON.stringify(breaker);
  const kept = new Map(previous?.all.map((t) => [t.name, t]));
  const names = new Set<string>();
  const all = options.targets.map((spec): Target => {
    const weight = spec.weight ?? 1;
    if (typeof spec.name !== "string" || spec.name === "" || names.has(spec.name)) {
      throw new TypeError(`sluice: routeSink target names must be unique, non-empty strings, got ${JSON.stringify(spec.name)}`);
    }
    if (!(weight > 0) || !Number.isFinite(weight)) throw new RangeError(`sluice: routeSink target ${spec.name} needs a weight > 0, got ${weight}`);
    names.add(spec.name);
    const minLevel = spec.level === undefined ? 0 : levelValue(spec.level);
    const old = kept.get(spec.name);
    if (old !== undefined && old.spec.sink === spec.sink) {
      return Object.assign(old, { spec, weight, minLevel, breaker: sameBreaker ? old.breaker : new Breaker(breaker, now) });
    }
    return {
      spec, name: spec.name, weight, minLevel, breaker: new Breaker(breaker, now),
      current: 0, written: 0, inflight: 0, failures: 0, pending: new Set(), waiting: [], busy: false, stuck: false, slow: false,
    };
  });
  const distributed = all.filter((t) => !t.spec.copy);
  return {
    all,
    distributed,
    copies: all.filter((t) => t.spec.copy),
    ring: options.key === undefined ? undefined : new HashRing(distributed),
    key: options.key,
    timeoutMs: breaker.timeoutMs ?? 2_000,
    breaker,
  };
}

/**
 * True when `t`'s level, category prefix and predicate take `r`.
 *
 * @example
 * ```ts
 * takes(table.all[0], record);
 * ```
 */
export function takes(t: Target, r: LogRecord): boolean {
  return levelValue(r.level) >= t.minLevel &&
    (t.spec.categoryPrefix === undefined || (r.category ?? "").startsWith(t.spec.categoryPrefix)) &&
    (t.spec.filter === undefined || t.spec.filter(r));
}

/**
 * One target's counters for `routeStats()`.
 *
 * @param t The target.
 * @param total Records written by all distribution targets.
 * @param retiring True for a target removed by a reconfiguration that still has writes in flight.
 * @example
 * ```ts
 * targetStats(t, 1000, false).share;
 * ```
 */
export function targetStats(t: Target, total: number, retiring: boolean): RouteTargetStats {
  return {
    name: t.name, weight: t.weight, copy: t.spec.copy === true, state: retiring ? "retiring" : t.breaker.state, written: t.written,
    share: t.spec.copy || total === 0 ? 0 : t.written / total, inflight: t.inflight, failures: t.failures, opened: t.breaker.opened,
    spooled: t.spec.spooled?.() ?? 0,
  };
}

/**
 * A router's `routeStats()`: each target's counters (removed ones still finishing as `retiring`)
 * and the router's own.
 *
 * @param table The targets now.
 * @param retiring Targets a reconfiguration removed that still have writes in flight.
 * @param counts The router's counters.
 * @example
 * ```ts
 * routeStatsOf(table, retiring, { failedOver: 0, spooled: 0, unmatched: 0, reconfigured: 0, dropped: {} }).targets;
 * ```
 */
export function routeStatsOf(table: TargetTable, retiring: Iterable<Target>, counts: Omit<RouteStats, "targets">): RouteStats {
  const total = table.distributed.reduce((n, t) => n + t.written, 0);
  return {
    targets: [...table.all.map((t) => targetStats(t, total, false)), ...[...retiring].map((t) => targetStats(t, total, true))],
    failedOver: counts.failedOver, spooled: counts.spooled, unmatched: counts.unmatched, reconfigured: counts.reconfigured, dropped: { ...counts.dropped },
  };
}

/**
 * Takes the parts waiting for `t` that go into its next write: the first one and, with `merge`
 * (a closed breaker: not a half-open probe), those after it while the write stays within the
 * target sink's `maxBatch` (else its batch limits; 1000 records and 1 MiB by default). A
 * backlog behind a slow target, or parts moved from a failed one, then drains in a few writes
 * rather than one write per part.
 *
 * @param t The target; its first waiting part is always taken.
 * @param merge Whether parts after the first may join it.
 * @returns The parts, in order.
 * @example
 * ```ts
 * const parts = nextWrite(t, t.breaker.state === "closed");
 * ```
 */
export function nextWrite(t: Target, merge: boolean): Target["waiting"] {
  const limits = t.spec.sink.maxBatch ?? t.spec.sink.batch;
  const maxRecords = limits?.maxRecords ?? 1000;
  const maxBytes = limits?.maxBytes ?? 1 << 20;
  const bytes = (rs: LogRecord[]) => rs.reduce((n, r) => n + r.json.length + 1, 0);
  const taken = [t.waiting.shift()!];
  let records = taken[0].records.length;
  let size = bytes(taken[0].records);
  while (merge && t.waiting.length > 0) {
    const next = t.waiting[0];
    const more = bytes(next.records);
    if (records + next.records.length > maxRecords || size + more > maxBytes) break;
    taken.push(t.waiting.shift()!);
    records += next.records.length;
    size += more;
  }
  return taken;
}
