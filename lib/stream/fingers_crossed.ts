/**
 * `fingersCrossed`: holds a request's quiet records and writes them only if it fails.
 *
 * @module
 */
import { type LevelName, levelValue } from "../levels.ts";
import { keepOwnMessage, type LogRecord } from "../record.ts";
import { type CountingStage, countingStage } from "./counting_stage.ts";
import { followScopes, recordScope, type ScopeRef } from "./record_scope.ts";

/**
 * Options of {@linkcode fingersCrossed}.
 *
 * @example
 * ```ts
 * import type { FingersCrossedOptions } from "./fingers_crossed.ts";
 * const options: FingersCrossedOptions = { trigger: "error", bufferSize: 200, scope: "context" };
 * ```
 */
export interface FingersCrossedOptions {
  /**
   * A record at this level or above releases what its scope holds.
   * @default "error"
   */
  trigger?: LevelName;
  /**
   * Records held per scope; beyond it the oldest is let go (counted as `overflow`).
   * @default 100
   */
  bufferSize?: number;
  /**
   * `"context"`: each `withContext` scope holds its own records (records logged outside any
   * scope share one more); `"none"`: one buffer for all records.
   * @default "context"
   */
  scope?: "context" | "none";
  /**
   * Scopes held at once; a new one lets the least recently used go (its records counted as `evicted`).
   * @default 1000
   */
  maxScopes?: number;
  /**
   * Bytes of records held, all scopes together (their lines' lengths): past it the least recently
   * used scopes are let go (their records counted as `evicted`), so large records cannot grow
   * the heap past it whatever the scopes and buffers allow.
   * @default 16777216 (16 MiB)
   */
  maxHeldBytes?: number;
  /**
   * A scope with nothing logged for this long is let go (its records counted as `expired`): a
   * `withContext` scope's end cannot be seen, only its silence.
   * @default 60000
   */
  idleMs?: number;
  /**
   * The clock, in milliseconds.
   * @default Date.now
   */
  now?: () => number;
}

/**
 * A fingersCrossed stage's counters in `log.stats().sinks[i].stages`. `discarded` is the sum of
 * the four reasons a held record was never released.
 *
 * @example
 * ```ts
 * import type { FingersCrossedStats } from "./fingers_crossed.ts";
 * const s: FingersCrossedStats = { stage: "fingersCrossed", passed: 1, released: 3, held: 0, heldBytes: 0, scopes: 1, discarded: 0, overflow: 0, evicted: 0, expired: 0, closed: 0 };
 * ```
 */
export interface FingersCrossedStats {
  /** The stage's name. */
  readonly stage: "fingersCrossed";
  /** Records passed at once: triggers, and records of a scope after its trigger. */
  readonly passed: number;
  /** Held records written because a trigger came in their scope. */
  readonly released: number;
  /** Records held now. */
  readonly held: number;
  /** Bytes of the records held now (their lines' lengths). */
  readonly heldBytes: number;
  /** Scopes tracked now. */
  readonly scopes: number;
  /** Held records never released: `overflow + evicted + expired + closed`. */
  readonly discarded: number;
  /** Let go because their scope held `bufferSize` newer ones. */
  readonly overflow: number;
  /** Let go with their scope, pushed out by `maxScopes` newer scopes or by `maxHeldBytes`. */
  readonly evicted: number;
  /** Let go with their scope, silent for `idleMs`. */
  readonly expired: number;
  /** Still held when the logger closed. */
  readonly closed: number;
  /** Room for counters added later. */
  readonly [counter: string]: unknown;
}

interface Entry {
  readonly scope: object;
  /** The records held, from `start` on (the slots before it were let go), and their order numbers. */
  records: (LogRecord | undefined)[];
  seqs: number[];
  start: number;
  /** Bytes of the records held (their lines' lengths). */
  bytes: number;
  triggered: boolean;
  last: number;
}

/** The scope of records logged outside any `withContext`. */
const NO_SCOPE: ScopeRef = { parent: undefined };

/**
 * A stage that holds records below `trigger` per `withContext` scope and writes them, in order,
 * just before a record at `trigger` or above logged in the same scope; after that the scope's
 * records pass at once. A scope's records include those of scopes nested in it, and a trigger
 * in a nested scope releases what the enclosing scopes logged themselves, but never what a
 * sibling scope holds: two concurrent requests never release each other's records. Held
 * records that are never released are counted by reason (`overflow`, `evicted`, `expired`,
 * `closed`). Each record held gets a copy of its message, so a message cut from a larger string
 * (a request body) does not keep that string alive while it is held. Put it first in `through`:
 * a stage before it that makes new records loses their scope.
 *
 * @param options The trigger level and the bounds.
 * @returns The stage, for a sink's `through` option.
 * @example Debug lines of a request only when it fails
 * ```ts
 * import { createLogger, fileSink, fingersCrossed, withContext } from "../../mod.ts";
 * const log = createLogger({ level: "debug", sinks: [fileSink("./logs/app.ndjson", { through: [fingersCrossed({ trigger: "error" })] })] });
 * await withContext({ reqId: "r1" }, async () => {
 *   log.debug("cache miss");        // held
 *   log.error("upstream failed");   // writes "cache miss", then this
 * });
 * await log.close();
 * ```
 */
export function fingersCrossed(options: FingersCrossedOptions = {}): CountingStage {
  const trigger = levelValue(options.trigger ?? "error");
  const bufferSize = options.bufferSize ?? 100;
  const maxScopes = options.maxScopes ?? 1000;
  const idleMs = options.idleMs ?? 60_000;
  const maxHeldBytes = options.maxHeldBytes ?? 16 << 20;
  if (typeof maxHeldBytes !== "number" || !(maxHeldBytes > 0)) throw new TypeError(`sluice: fingersCrossed's maxHeldBytes must be a number above 0, got ${JSON.stringify(maxHeldBytes)}`);
  if (!Number.isInteger(bufferSize) || bufferSize < 0) throw new TypeError(`sluice: fingersCrossed's bufferSize must be a whole number, 0 or more, got ${bufferSize}`);
  if (!Number.isInteger(maxScopes) || maxScopes < 1) throw new TypeError(`sluice: fingersCrossed's maxScopes must be a whole number above 0, got ${maxScopes}`);
  if (typeof idleMs !== "number" || !(idleMs > 0)) throw new TypeError(`sluice: fingersCrossed's idleMs must be a number above 0, got ${JSON.stringify(idleMs)}`);
  const byContext = (options.scope ?? "context") === "context";
  if (options.scope !== undefined && options.scope !== "context" && options.scope !== "none") {
    throw new TypeError(`sluice: fingersCrossed's scope must be "context" or "none", got ${JSON.stringify(options.scope)}`);
  }
  if (byContext) followScopes();
  const now = options.now ?? Date.now;
  /** Least recently used first: an entry is moved to the end each time its scope logs. */
  const entries = new Map<object, Entry>();
  let seq = 0, held = 0, heldBytes = 0;
  let passed = 0, released = 0, overflow = 0, evicted = 0, expired = 0, closed = 0;

  /** The entry moved to the end of `entries` last: touching it again needs no move. */
  let newest: Entry | undefined;
  const count = (e: Entry) => e.records.length - e.start;
  const drop = (e: Entry) => {
    entries.delete(e.scope);
    if (newest === e) newest = undefined;
    const n = count(e);
    held -= n;
    heldBytes -= e.bytes;
    return n;
  };
  const touch = (scope: object, t: number) => {
    let e = newest !== undefined && newest.scope === scope ? newest : undefined;
    if (e === undefined) {
      e = entries.get(scope);
      if (e !== undefined) entries.delete(scope);
      else {
        if (entries.size >= maxScopes) evicted += drop(entries.values().next().value!);
        e = { scope, records: [], seqs: [], start: 0, bytes: 0, triggered: false, last: t };
      }
      entries.set(scope, e);
      newest = e;
    }
    e.last = t;
    return e;
  };
  const within = (scope: ScopeRef | undefined, outer: object) => {
    for (let s = scope; s !== undefined; s = s.parent as ScopeRef | undefined) if (s === outer) return true;
    return false;
  };
  /** Held records of the scope, the scopes around it and those nested in it, in the order they were logged. */
  const release = (scope: ScopeRef, out: LogRecord[]) => {
    const freed: [number, LogRecord][] = [];
    for (const e of entries.values()) {
      if (count(e) === 0 || !(within(scope, e.scope) || within(e.scope as ScopeRef, scope))) continue;
      for (let i = e.start; i < e.records.length; i++) freed.push([e.seqs[i], e.records[i]!]);
      held -= count(e);
      heldBytes -= e.bytes;
      e.records = [];
      e.seqs = [];
      e.start = 0;
      e.bytes = 0;
    }
    freed.sort((a, b) => a[0] - b[0]);
    for (const f of freed) out.push(f[1]);
    released += freed.length;
  };
  const triggered = (scope: ScopeRef) => {
    for (let s: ScopeRef | undefined = scope; s !== undefined; s = s.parent as ScopeRef | undefined) if (entries.get(s)?.triggered) return true;
    return false;
  };

  return countingStage({
    transform(batch) {
      const t = now();
      for (const e of entries.values()) {
        if (e.last + idleMs > t) break;
        expired += drop(e);
      }
      const out: LogRecord[] = [];
      for (let i = 0; i < batch.length; i++) {
        const r = batch[i];
        const scope = (byContext ? recordScope(r) : undefined) ?? NO_SCOPE;
        if (levelValue(r.level) >= trigger) {
          release(scope, out);
          out.push(r);
          passed++;
          touch(scope, t).triggered = true;
        } else if (triggered(scope)) {
          out.push(r);
          passed++;
          touch(scope, t);
        } else {
          const e = touch(scope, t);
          // held for as long as its scope lives: its message must not keep the caller's larger string alive
          if (bufferSize > 0) keepOwnMessage(r);
          e.records.push(r);
          e.seqs.push(seq++);
          held++;
          e.bytes += r.json.length;
          heldBytes += r.json.length;
          if (count(e) > bufferSize) {
            // the oldest goes: its slot is emptied now, the array cut once a buffer's worth is empty
            const oldest = e.records[e.start]!.json.length;
            e.bytes -= oldest;
            heldBytes -= oldest;
            e.records[e.start++] = undefined;
            if (e.start >= bufferSize) {
              e.records = e.records.slice(e.start);
              e.seqs = e.seqs.slice(e.start);
              e.start = 0;
            }
            held--;
            overflow++;
          }
          // past the bytes bound the least recently used scopes go (this one last of all)
          for (const lru of entries.values()) {
            if (heldBytes <= maxHeldBytes) break;
            evicted += drop(lru);
          }
        }
      }
      return out;
    },
    drain(final) {
      if (final) {
        for (const e of [...entries.values()]) closed += drop(e);
      }
      return [];
    },
    stats: (): FingersCrossedStats => ({
      stage: "fingersCrossed",
      passed,
      released,
      held,
      heldBytes,
      scopes: entries.size,
      discarded: overflow + evicted + expired + closed,
      overflow,
      evicted,
      expired,
      closed,
    }),
  });
}
