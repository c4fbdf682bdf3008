/**
 * One route target's writes: one at a time, each let through by its breaker, one unanswered past
 * `timeoutMs` tripping it, and records that wait long at it given messages of their own.
 *
 * @module
 */
import { errorMessage } from "../../errors.ts";
import { keepOwnMessage, type LogRecord, STALLED_WRITE_MS } from "../../record.ts";
import { encodeFor, nextWrite, type Target } from "./route_targets.ts";

/**
 * What {@linkcode targetTurns} needs from its router.
 *
 * @example
 * ```ts
 * import type { TurnHooks } from "./target_turns.ts";
 * const hooks: TurnHooks = { timeoutMs: () => 10_000, unrefTimer: () => {}, report: console.error };
 * ```
 */
export interface TurnHooks {
  /** The breaker's `timeoutMs` in the router's current configuration. */
  timeoutMs(): number;
  /** Lets a timer not keep the process alive. */
  unrefTimer(timer: unknown): void;
  /** Reports a failed write (its records move on). */
  report(err: Error): void;
}

/**
 * Makes `turn(t, records, since)`: `records`, taken by the router at `since`
 * (`performance.now()`; a part moved on from a failed target keeps its first time), to `t` in
 * its turn. A target takes one write at a time, so a slow one holds only its own parts. It
 * resolves true when written; false when the write failed, or when `t`'s breaker did not let the
 * part through once its turn came or opened while it waited (then it was never sent, so it can
 * move on without being doubled).
 *
 * A write whose oldest part was taken `STALLED_WRITE_MS` ago and is not done makes `t` slow: the
 * records of its write and of the parts waiting stop holding their callers' messages
 * (`keepOwnMessage`: a message may be cut from a far larger string, which the router's bound on
 * records does not count), and so does each part handed to `t` until it has nothing waiting or
 * in flight. Parts wait in the order they came, so none behind the write is older than its
 * oldest: each is copied about 1 s after the router took it. A part moved on from a failed target
 * comes late: it is copied when it arrives if it has waited 1 s already, else by the next write.
 *
 * @param hooks The router's timeout, timers and error reports.
 * @returns The turn function.
 * @example
 * ```ts
 * import { targetTurns } from "./target_turns.ts";
 * const turn = targetTurns({ timeoutMs: () => 10_000, unrefTimer: () => {}, report: console.error });
 * const written = await turn(table.distributed[0], records, performance.now());
 * ```
 */
export function targetTurns(hooks: TurnHooks): (t: Target, records: LogRecord[], since: number) => Promise<boolean> {
  const turn = (t: Target, records: LogRecord[], since: number): Promise<boolean> => {
    t.inflight += records.length;
    let finish!: (written: boolean) => void;
    const done = new Promise<boolean>((resolve) => (finish = (written) => {
      t.inflight -= records.length;
      t.pending.delete(done);
      resolve(written);
    }));
    t.pending.add(done);
    if (t.slow || performance.now() - since >= STALLED_WRITE_MS) records.forEach(keepOwnMessage);
    t.waiting.push({ records, resolve: finish, at: since });
    pump(t);
    return done;
  };

  /**
   * Starts `t`'s next write when it has none in flight and its breaker lets it: its waiting parts
   * within its sink's batch limits in one write (a half-open one takes one part, the probe).
   */
  const pump = (t: Target): void => {
    while (!t.busy && t.waiting.length > 0) {
      if (!t.breaker.allow()) {
        t.waiting.shift()!.resolve(false);
        continue;
      }
      const parts = nextWrite(t, t.breaker.state === "closed");
      t.busy = true;
      // the oldest part's time (one moved on from a failed target may be behind newer ones)
      const since = parts.reduce((oldest, p) => Math.min(oldest, p.at), Infinity);
      void attempt(t, parts.length === 1 ? parts[0].records : parts.flatMap((p) => p.records), since).then((ok) => {
        t.busy = false;
        for (const p of parts) p.resolve(ok);
        pump(t);
      });
    }
    if (!t.busy) t.slow = false;
  };

  /** `t`'s write in flight (`records`) or a part waiting has waited long: see {@linkcode targetTurns}. */
  const stalled = (t: Target, records: readonly LogRecord[]) => {
    if (t.slow) return; // done already for every record it holds
    t.slow = true;
    records.forEach(keepOwnMessage);
    for (const w of t.waiting) w.records.forEach(keepOwnMessage);
  };

  /**
   * One write of `records` to `t` (the oldest handed over at `since`); resolves true when written.
   * An answer slower than `timeoutMs` trips the breaker, and until it comes `t` is stuck: the
   * parts waiting for it move on and it is picked for none (a half-open probe could not be sent
   * behind it); the part written stays with `t`.
   */
  const attempt = async (t: Target, records: LogRecord[], since: number): Promise<boolean> => {
    const timer = setTimeout(() => {
      t.stuck = true;
      t.breaker.failure(true);
      for (const w of t.waiting.splice(0)) w.resolve(false);
    }, hooks.timeoutMs());
    hooks.unrefTimer(timer);
    const stall = t.slow ? undefined : setTimeout(() => stalled(t, records), Math.max(0, since + STALLED_WRITE_MS - performance.now()));
    if (stall !== undefined) hooks.unrefTimer(stall);
    try {
      t.writing = records;
      await t.spec.sink.write(encodeFor(t, records));
      t.lastSent = undefined; // written: nothing to send again
      t.breaker.success();
      t.written += records.length;
      return true;
    } catch (err) {
      t.failures++;
      t.breaker.failure();
      hooks.report(new Error(`sluice: ${records.length} record(s) to route target ${t.name} failed; moving them: ${errorMessage(err)}`, { cause: err }));
      return false;
    } finally {
      clearTimeout(timer);
      clearTimeout(stall);
      t.stuck = false;
      t.writing = undefined;
    }
  };

  return turn;
}
