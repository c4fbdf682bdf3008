/**
 * `throttle`: at most so many records per key per time window, and one record saying how many
 * were left out.
 *
 * @module
 */
import { LEVEL_VALUES, type LevelName } from "../levels.ts";
import { createRecord, type LogRecord } from "../record.ts";
import { hash32 } from "../sinks/route/hash_ring.ts";
import { type CountingStage, countingStage, type StageHooks } from "./counting_stage.ts";

/**
 * Options of {@linkcode throttle}.
 *
 * @example
 * ```ts
 * import type { ThrottleOptions } from "./throttle.ts";
 * const options: ThrottleOptions = { max: 5, windowMs: 10_000, key: (r) => r.msg };
 * ```
 */
export interface ThrottleOptions {
  /** Records passed per key in each window (a whole number, 0 or more). */
  max: number;
  /** The window's length in milliseconds; windows are aligned to the clock (`now - now % windowMs`). */
  windowMs: number;
  /**
   * A record's key.
   * @default the record's level, category and message
   */
  key?: (record: LogRecord) => string;
  /**
   * Keys counted in one window; records with further keys share one budget of `max` under the
   * key `"(other keys)"`, so a flood of distinct messages cannot grow the table. A key longer than
   * 200 characters is kept as its first 200 and a hash of the whole.
   * @default 10000
   */
  maxKeys?: number;
  /**
   * The clock, in milliseconds.
   * @default Date.now
   */
  now?: () => number;
}

/**
 * A throttle's counters in `log.stats().sinks[i].stages`.
 *
 * @example
 * ```ts
 * import type { ThrottleStats } from "./throttle.ts";
 * const s: ThrottleStats = { stage: "throttle", passed: 5, suppressed: 95, summaries: 1, keys: 1 };
 * ```
 */
export interface ThrottleStats {
  /** The stage's name. */
  readonly stage: "throttle";
  /** Records passed on. */
  readonly passed: number;
  /** Records left out (each is counted in a `"suppressed"` record). */
  readonly suppressed: number;
  /** `"suppressed"` records written. */
  readonly summaries: number;
  /** Keys counted in the current window. */
  readonly keys: number;
  /** Room for counters added later. */
  readonly [counter: string]: unknown;
}

interface KeyCount {
  passed: number;
  suppressed: number;
  /** The level of the key's records (for the default key, part of it). */
  readonly lvl: LevelName;
  /** The highest level left out since the last summary. */
  level: LevelName;
  category: string | undefined;
  /** The key as the summary shows it. */
  shown: string;
}

const OTHER_KEYS = "(other keys)";
/** The longest delay a timer takes (2³¹ − 1 ms, about 24.8 days): a longer one fires at once, in every runtime. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Keys and shown keys are cut to this many characters (a long key keeps a hash of the whole), so a key costs little whatever the message. */
const KEY_CHARS = 200;
// a copy, not a slice: a slice would keep the whole message alive
const cut = (k: string) => (k.length > KEY_CHARS ? k.slice(0, KEY_CHARS).split("").join("") + "…#" + hash32(k).toString(36) : k);

/**
 * A stage that passes at most `max` records per key in each window of `windowMs`. When a window
 * left records out, one record `{"level": <the highest left out>, "category": <the key's>,
 * "msg": "suppressed", "key": <the key: the message by default>, "suppressed": N, "windowMs": W}`
 * says so: written when the window ends (a timer, on a sink that writes synchronously; otherwise
 * with the next batch), and at every flush and at close for what was left out so far, so nothing
 * left out goes uncounted. Bounded: at most `maxKeys` keys a window.
 *
 * @param options The budget, the window and the key.
 * @returns The stage, for a sink's `through` option.
 * @example At most 5 of each message per 10 seconds
 * ```ts
 * import { createLogger, fileSink, throttle } from "../../mod.ts";
 * const log = createLogger({ sinks: [fileSink("./logs/app.ndjson", { through: [throttle({ max: 5, windowMs: 10_000 })] })] });
 * for (let i = 0; i < 100; i++) log.warn("disk almost full");
 * await log.close(); // 5 lines, then {"level":"warn","msg":"suppressed","key":"disk almost full","suppressed":95,"windowMs":10000}
 * ```
 */
export function throttle(options: ThrottleOptions): CountingStage {
  const { max, windowMs } = options;
  if (!Number.isInteger(max) || max < 0) throw new TypeError(`sluice: throttle's max must be a whole number, 0 or more, got ${max}`);
  if (typeof windowMs !== "number" || !(windowMs > 0) || !Number.isFinite(windowMs)) throw new TypeError(`sluice: throttle's windowMs must be a number above 0, got ${JSON.stringify(windowMs)}`);
  const maxKeys = options.maxKeys ?? 10_000;
  if (!Number.isInteger(maxKeys) || maxKeys < 1) throw new TypeError(`sluice: throttle's maxKeys must be a whole number above 0, got ${maxKeys}`);
  const now = options.now ?? Date.now;
  const key = options.key;
  /** The keys counted this window: by the key's text (the message's for the default key, whose level and category are then matched in the list). */
  let counts = new Map<string, KeyCount[]>();
  let keys = 0;
  let other: KeyCount | undefined;
  let windowEnd = -Infinity;
  let passed = 0, suppressed = 0, summaries = 0;
  let hooks: StageHooks | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;

  /** One `"suppressed"` record per key that left records out since the last, and their counts reset. */
  const summarize = (out: LogRecord[]) => {
    const t = now();
    const all = [...counts.values()].flat();
    if (other !== undefined) all.push(other);
    for (const c of all) {
      if (c.suppressed === 0) continue;
      out.push(createRecord(t, c.level, c.category, "suppressed", `,"key":${JSON.stringify(c.shown)},"suppressed":${c.suppressed},"windowMs":${windowMs}}`));
      summaries++;
      c.suppressed = 0;
    }
    return out;
  };
  /** Ends the window when the clock has passed it: its summaries go to `out`. */
  const roll = (out: LogRecord[], t: number) => {
    if (t < windowEnd) return out;
    summarize(out);
    counts = new Map();
    keys = 0;
    other = undefined;
    windowEnd = t - (t % windowMs) + windowMs;
    return out;
  };
  const stopTimer = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };
  /** On a synchronous sink: at the window's end, its summaries are written even if nothing more is logged. */
  const arm = () => {
    if (hooks === undefined || timer !== undefined) return;
    const h = hooks;
    timer = setTimeout(() => {
      timer = undefined;
      const t = now();
      if (t < windowEnd) return arm();
      const out = roll([], t);
      if (out.length > 0) h.emit(out);
    }, Math.min(MAX_TIMER_MS, Math.max(1, windowEnd - now()))); // a longer window re-arms at the timer's longest
    h.unrefTimer(timer);
  };

  return countingStage({
    transform(batch) {
      const out = roll([], now());
      for (let i = 0; i < batch.length; i++) {
        const r = batch[i];
        // the default key is looked up by the message (a string the engine has hashed already), then level and category: no key string is built
        const k = cut(key === undefined ? r.msg : String(key(r))); // a key of another type (a category that is undefined) by its text
        const list = counts.get(k);
        let c = list === undefined ? undefined : key === undefined ? list.find((x) => x.lvl === r.level && x.category === r.category) : list[0];
        if (c === undefined) {
          if (keys >= maxKeys) c = other ??= { passed: 0, suppressed: 0, lvl: r.level, level: r.level, category: undefined, shown: OTHER_KEYS };
          else {
            c = { passed: 0, suppressed: 0, lvl: r.level, level: r.level, category: r.category, shown: k };
            keys++;
            if (list === undefined) counts.set(k, [c]);
            else list.push(c);
          }
        }
        if (c.passed < max) {
          c.passed++;
          passed++;
          out.push(r);
        } else {
          if (c.suppressed === 0 || LEVEL_VALUES[r.level] > LEVEL_VALUES[c.level]) c.level = r.level;
          c.suppressed++;
          suppressed++;
          arm();
        }
      }
      return out;
    },
    drain(final) {
      const out = summarize([]);
      if (final) stopTimer();
      return out;
    },
    connect(h) {
      hooks = h;
    },
    stats: (): ThrottleStats => ({ stage: "throttle", passed, suppressed, summaries, keys: keys + (other === undefined ? 0 : 1) }),
  });
}
