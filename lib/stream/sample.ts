/**
 * `sample`: keeps a fraction of the records, whole traces at a time, and every record at or
 * above a level.
 *
 * @module
 */
import { type LevelName, levelValue } from "../levels.ts";
import type { LogRecord } from "../record.ts";
import { hash32 } from "../sinks/route/hash_ring.ts";
import { keyByField } from "../sinks/route/route_config.ts";
import { type CountingStage, countingStage } from "./counting_stage.ts";

/**
 * Options of {@linkcode sample}.
 *
 * @example
 * ```ts
 * import type { SampleOptions } from "./sample.ts";
 * const options: SampleOptions = { rate: 0.1, keep: "warn", by: "trace_id" };
 * ```
 */
export interface SampleOptions {
  /** The fraction kept, from 0 to 1. */
  rate: number;
  /**
   * Records at this level and above are always kept.
   * @default "warn"
   */
  keep?: LevelName;
  /**
   * The top-level field whose value decides for all its records together: a record is kept when
   * the hash of that value falls in the kept fraction, so a trace's records are kept or dropped
   * together, the same way in every process. Records without the field are kept by a counter:
   * exactly one in `1 / rate` (the 10th, 20th, ... at `rate: 0.1`).
   * @default "trace_id"
   */
  by?: string;
}

/**
 * A sample's counters in `log.stats().sinks[i].stages`.
 *
 * @example
 * ```ts
 * import type { SampleStats } from "./sample.ts";
 * const s: SampleStats = { stage: "sample", kept: 10, sampledOut: 90 };
 * ```
 */
export interface SampleStats {
  /** The stage's name. */
  readonly stage: "sample";
  /** Records kept (by level or by the sample). */
  readonly kept: number;
  /** Records left out by the sample. */
  readonly sampledOut: number;
  /** Room for counters added later. */
  readonly [counter: string]: unknown;
}

/**
 * A stage that keeps `rate` of the records below `keep` and all the others. Records with the `by`
 * field (the trace id that `withContext` and `sluice/hono` add) are kept or dropped by a hash of
 * its value, so a trace stays whole and every process decides the same; the others by a counter.
 *
 * @param options The fraction, the level always kept, the field.
 * @returns The stage, for a sink's `through` option.
 * @example Keep 10% of the traces, and every warning and error
 * ```ts
 * import { createLogger, fileSink, sample } from "../../mod.ts";
 * const log = createLogger({ sinks: [fileSink("./logs/app.ndjson", { through: [sample({ rate: 0.1 })] })] });
 * log.info("checkout", { trace_id: "4bf92f3577b34da6a3ce929d0e0e4736" });
 * await log.close();
 * ```
 */
export function sample(options: SampleOptions): CountingStage {
  const { rate } = options;
  // a number, not its text ("0.1" from an environment variable would add up as text)
  if (typeof rate !== "number" || !(rate >= 0 && rate <= 1)) throw new TypeError(`sluice: sample's rate must be a number from 0 to 1, got ${JSON.stringify(rate)}`);
  const keep = levelValue(options.keep ?? "warn");
  const field = keyByField(options.by ?? "trace_id");
  /** Hashes below this are kept: `rate` of the 32-bit range. */
  const bound = rate * 2 ** 32;
  let credit = 0;
  let kept = 0, sampledOut = 0;
  const keeps = (r: LogRecord) => {
    if (levelValue(r.level) >= keep) return true;
    const v = field(r);
    if (v !== undefined) return hash32(v) < bound;
    credit += rate;
    if (credit < 1 - 1e-9) return false;
    credit -= 1;
    return true;
  };
  return countingStage({
    transform(batch) {
      const out: LogRecord[] = [];
      for (let i = 0; i < batch.length; i++) {
        if (keeps(batch[i])) {
          kept++;
          out.push(batch[i]);
        } else sampledOut++;
      }
      return out;
    },
    drain: () => [],
    stats: (): SampleStats => ({ stage: "sample", kept, sampledOut }),
  });
}
