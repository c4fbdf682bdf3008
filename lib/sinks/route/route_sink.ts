/**
 * The routing sink: records spread over targets by weight, sticky by key, with a circuit
 * breaker per target and failover that never doubles a batch.
 *
 * @module
 */
import { errorMessage, toError } from "../../errors.ts";
import type { LogRecord } from "../../record.ts";
import type { SinkHooks } from "../../sink.ts";
import type { RouteSink, RouteSinkOptions, RouteStats } from "./route_types.ts";
import { encodeFor, makeTable, routeStatsOf, type Target, takes } from "./route_targets.ts";
import { targetTurns } from "./target_turns.ts";
import { SmoothWeighted } from "./weighted.ts";

/**
 * Spreads records over targets by weight (smooth weighted round-robin: over 100,000 records
 * each target's share is within a fraction of a percent of its weight), or sticky by `key`
 * (consistent hashing: adding a target moves only the keys it takes). Targets take only the
 * records their `level`, `categoryPrefix` and `filter` accept; `copy` targets get a copy of
 * everything they accept. Each target has a circuit breaker: after `failures` failed batches
 * in a row, or one batch unanswered for `timeoutMs`, it is open and its records go to the
 * others by weight; after `openMs` one probe batch is let through. A batch part belongs to one
 * target at a time: it moves on only once its target's `write` has rejected (or before it was
 * called), so nothing is doubled. Each target takes one write at a time, and the router does not
 * wait for one before handing the next batch to the others: a slow target holds up only its own
 * parts (at most `maxQueuedRecords` are handed out unwritten). With every candidate down,
 * records go to a candidate's spool (`writeSync`, such as a spooled `httpSink`) or are counted
 * lost as `all-targets-down`.
 *
 * The router owns failover: it tells each distribution target (`Sink.routed`) that its breaker
 * is the retry policy, so an `httpSink` target with default options tries each batch once,
 * within `breaker.timeoutMs`, and a spooled one lets go of a failed batch for the router to move
 * (its spool keeps only what finds no target up). One retry policy per path: the breaker's.
 * Copy targets keep their own retries (a failed copy is not moved).
 *
 * @param options The targets, key, and breaker.
 * @returns The sink; its `routeStats()` gives each target's share and state.
 * @example
 * ```ts
 * import { createLogger, httpSink, routeSink } from "../../../api.ts";
 * const route = routeSink({
 *   targets: [
 *     { name: "a1", weight: 3, sink: httpSink("http://10.0.0.1/ingest") },
 *     { name: "a2", weight: 1, sink: httpSink("http://10.0.0.2/ingest") },
 *   ],
 *   key: (r) => r.category,
 *   breaker: { failures: 5, openMs: 5_000 },
 * });
 * const log = createLogger({ sinks: [route] });
 * ```
 */
export function routeSink(options: RouteSinkOptions): RouteSink {
  const now = options.now ?? Date.now;
  let table = makeTable(options, undefined, now);
  /** Tells the distribution targets that this router's breaker is their retry policy (`Sink.routed`); copies keep their own. */
  const own = () => table.distributed.forEach((t) => t.spec.sink.routed?.({ timeoutMs: table.timeoutMs }));
  own();
  /** Targets a reconfiguration removed, until their writes in flight are answered. */
  const retiring = new Set<Target>();
  const rr = new SmoothWeighted();
  const stats = { failedOver: 0, spooled: 0, unmatched: 0, reconfigured: 0, dropped: {} as RouteStats["dropped"] };
  const background = new Set<Promise<void>>();
  /**
   * Records in parts handed to targets that are not written or given up yet (counted per part, so
   * a batch whose other parts were written holds only its slow target's part); past
   * `maxQueuedRecords`, `write` waits.
   */
  let unsettled = 0;
  const maxUnsettled = options.maxQueuedRecords ?? 10_000;
  let hooks: SinkHooks | undefined;
  const report = (err: Error) => hooks?.report(err);

  /** The target for `r` among those not in `tried` whose breaker lets it through (or, with `anyState`, any). */
  const pick = (r: LogRecord, tried: ReadonlySet<Target>, up: (t: Target) => boolean): Target | undefined => {
    const ok = (t: Target) => !tried.has(t) && takes(t, r) && up(t);
    const key = table.key?.(r);
    if (table.ring !== undefined && key !== undefined) return table.ring.walk(key, ok);
    return rr.pick(table.distributed.filter(ok));
  };

  const lose = (reason: keyof RouteStats["dropped"], n: number, err: unknown) => {
    stats.dropped[reason] = (stats.dropped[reason] ?? 0) + n;
    hooks?.lost(n, err);
  };

  const turn = targetTurns({ timeoutMs: () => table.timeoutMs, unrefTimer: (timer) => hooks?.unrefTimer(timer), report });

  /** Groups records by target, picked among those not in `tried` that take records (closed, or half-open before its probe) and are not stuck. */
  const group = (records: readonly LogRecord[], tried: ReadonlySet<Target>) => {
    const parts = new Map<Target, LogRecord[]>();
    const nowhere: LogRecord[] = [];
    for (const r of records) {
      const t = pick(r, tried, (c) => c.breaker.takesRecords && !c.stuck);
      if (t === undefined) nowhere.push(r);
      else (parts.get(t) ?? parts.set(t, []).get(t)!).push(r);
    }
    return { parts, nowhere };
  };

  /** Routes `records` (handed to the router at `since`) among the targets not in `tried`; what has none goes to a spool or is lost. */
  const reroute = async (records: LogRecord[], tried: ReadonlySet<Target>, since: number): Promise<void> => {
    const { parts, nowhere } = group(records, tried);
    spoolOrLose(nowhere);
    await Promise.all([...parts].map(([t, rs]) => deliver(t, rs, tried, since)));
  };

  /**
   * Writes `records` (handed to the router at `since`) to `t`; when it fails or does not let them
   * through, they move on to the targets not tried yet.
   */
  const deliver = async (t: Target, records: LogRecord[], tried: ReadonlySet<Target>, since: number): Promise<void> => {
    if (await turn(t, records, since)) return;
    stats.failedOver += records.length;
    await reroute(records, new Set(tried).add(t), since);
  };

  /** Records no target is up for: into a taking target's spool (not a hanging one's, if it can), else lost as `all-targets-down` (or `why`). */
  const spoolOrLose = (records: LogRecord[], why: "all-targets-down" | "exit" = "all-targets-down") => {
    if (records.length === 0) return;
    const parts = new Map<Target, LogRecord[]>();
    let lost = 0;
    for (const r of records) {
      // a spool sends only to its own target: rather one that answers (refusing) than one that hangs
      const spooled = (c: Target) => c.spec.sink.writeSync !== undefined;
      const t = pick(r, new Set(), (c) => spooled(c) && !c.stuck) ?? pick(r, new Set(), spooled);
      if (t === undefined) lost++;
      else (parts.get(t) ?? parts.set(t, []).get(t)!).push(r);
    }
    for (const [t, rs] of parts) {
      try {
        t.spec.sink.writeSync!(encodeFor(t, rs, false));
        stats.spooled += rs.length;
      } catch (err) {
        lose(why, rs.length, err);
      }
    }
    if (lost > 0) lose(why, lost, new Error("no route target is up and none has a spool"));
  };

  /** Copies that failed: counted, not moved (the records went to their distribution target). */
  const failedCopies = (n: number) => void (stats.dropped["copy-failed"] = (stats.dropped["copy-failed"] ?? 0) + n);
  /** Writes a copy to a fan-out target; a failure is counted, not moved. */
  const copyTo = async (t: Target, records: LogRecord[], since: number) => {
    if (!(await turn(t, records, since))) failedCopies(records.length);
  };

  /**
   * A target a reconfiguration removed: it takes no new records, the parts waiting for it move on
   * to the current targets (a copy target still writes its copies), the write it has in flight
   * finishes with it (if it fails, it moves on too), then it is flushed and closed.
   */
  const retire = (t: Target) => {
    retiring.add(t);
    if (!t.spec.copy) for (const w of t.waiting.splice(0)) w.resolve(false);
    track((async () => {
      while (t.pending.size > 0) await Promise.allSettled([...t.pending]);
      try {
        await t.spec.sink.flush?.();
        t.spec.sink.closing?.();
        await t.spec.sink.close();
      } catch (err) {
        report(new Error(`sluice: closing removed route target ${t.name}: ${errorMessage(err)}`, { cause: err }));
      } finally {
        retiring.delete(t);
      }
    })());
  };

  const snapshot = (): RouteStats => routeStatsOf(table, retiring, stats);

  /** A part of `n` records handed to its target: counted in `unsettled` and tracked until `work` settles. */
  const hand = (n: number, work: Promise<void>) => {
    unsettled += n;
    track(work.then(() => {}, (err) => report(toError(err))).finally(() => (unsettled -= n)));
  };

  /** Keeps `work` in `background` until it settles, so flush and close wait for it. */
  const track = (work: Promise<void>) => {
    const tracked = work.finally(() => background.delete(tracked));
    background.add(tracked);
    return tracked;
  };

  return {
    name: options.name ?? "route",
    sync: false,
    defaultOnFull: "drop-newest",
    batch: options.batch,
    queue: { maxQueuedRecords: options.maxQueuedRecords ?? 10_000 },
    connect(h) {
      hooks = h;
      for (const t of table.all) t.spec.sink.connect?.(h);
    },
    encode: (records) => records.slice(),
    async write(records) {
      // room first, then the parts handed out: a batch that waits for room is still the channel's
      // alone (at exit it is counted there once, not also spooled or lost here)
      while (unsettled > maxUnsettled && background.size > 0) await Promise.race(background);
      const routed: LogRecord[] = [];
      const copied = new Map<Target, LogRecord[]>();
      for (const r of records) {
        for (const c of table.copies) if (takes(c, r)) (copied.get(c) ?? copied.set(c, []).get(c)!).push(r);
        if (table.distributed.some((t) => takes(t, r))) routed.push(r);
        else stats.unmatched++;
      }
      const { parts, nowhere } = group(routed, new Set());
      spoolOrLose(nowhere);
      // each part is its target's now: the next batch need not wait for a slow target, only for room
      const since = performance.now();
      for (const [t, rs] of parts) hand(rs.length, deliver(t, rs, new Set(), since));
      for (const [c, rs] of copied) hand(rs.length, copyTo(c, rs, since));
    },
    reconfigure(next) {
      const old = table;
      table = makeTable(next, old, now); // throws on a bad configuration: the old one stays
      own();
      stats.reconfigured++;
      const staying = new Set(table.all);
      for (const t of table.all) if (!old.all.includes(t)) hooks && t.spec.sink.connect?.(hooks);
      for (const t of old.all) if (!staying.has(t)) retire(t);
    },
    async flush() {
      while (background.size > 0) await Promise.all([...background]);
      await Promise.all(table.all.map((t) => t.spec.sink.flush?.()));
    },
    closing() {
      for (const t of table.all) t.spec.sink.closing?.();
    },
    exit() {
      // what the targets hold, handed out and not known written: the write in flight into its own
      // target's spool (the same batch under the same key: the target may have it already), the
      // parts waiting into any spool; what finds none is counted lost
      for (const t of [...table.all, ...retiring]) {
        if (t.spec.copy) {
          // a copy is not moved: counted as a failed copy (the records went to their target)
          failedCopies((t.writing?.length ?? 0) + t.waiting.splice(0).reduce((k, w) => k + w.records.length, 0));
          continue;
        }
        const writing = t.writing ?? [];
        if (writing.length > 0) {
          try {
            if (t.spec.sink.writeSync === undefined) throw new Error(`route target ${t.name} has no spool`);
            t.spec.sink.writeSync(encodeFor(t, writing));
            stats.spooled += writing.length;
          } catch (err) {
            lose("exit", writing.length, err);
          }
        }
        spoolOrLose(t.waiting.splice(0).flatMap((w) => w.records), "exit");
      }
    },
    async close() {
      while (background.size > 0) await Promise.all([...background]);
      const results = await Promise.allSettled(table.all.map((t) => t.spec.sink.close()));
      for (const r of results) if (r.status === "rejected") report(toError(r.reason));
    },
    routeStats: snapshot,
    details: snapshot,
  };
}
