/**
 * `createTestLogger`: the real logger over a sink that keeps its records in memory, with
 * assertions on them.
 *
 * @module
 */
// through mod.ts: the server runtimes and the levels parser are registered, as in the app under test
import { createLogger, type Logger } from "../lib/logger.ts";
import type { LoggerOptions } from "../lib/logger_options.ts";
import { type LogRecord, recordFields } from "../lib/record.ts";
import type { Sink } from "../lib/sink.ts";
import { checkQuery, describeQuery, differences, type RecordQuery, show, type TestRecord } from "./record_query.ts";

/**
 * Options of {@linkcode createTestLogger}: those of `createLogger` but the ones the test logger
 * sets itself (`sinks`: memory; `mode`: `"sync"`, so a record is there when the call returns;
 * `exitHooks`: off).
 *
 * @example
 * ```ts
 * import { createTestLogger } from "../testing.ts";
 * const log = createTestLogger({ levels: "info,db=debug", redact: ["password"], bindings: { app: "shop" } });
 * ```
 */
export type TestLoggerOptions = Omit<LoggerOptions, "sinks" | "mode" | "exitHooks">;

/**
 * A logger whose records stay in memory, and assertions on them. Children it makes write into
 * the same records.
 *
 * @example
 * ```ts
 * import { createTestLogger } from "../testing.ts";
 * const log = createTestLogger();
 * log.child({ reqId: "r1" }, { category: "http" }).warn("slow", { ms: 950 });
 * log.assertLogged({ level: "warn", category: "http", fields: { reqId: "r1" } });
 * ```
 */
export interface TestLogger extends Logger {
  /** Every record logged so far, oldest first. */
  readonly records: readonly TestRecord[];
  /**
   * Returns the first record that matches `query`; throws an `Error` that names the query and
   * prints the closest records, with what differs in each, when none does.
   */
  assertLogged(query: RecordQuery): TestRecord;
  /** Throws an `Error` that prints the matching records when any record matches `query`. */
  assertNotLogged(query: RecordQuery): void;
  /** Forgets every record kept so far. */
  clear(): void;
}

/** How many records a failure message prints. */
const SHOWN = 3;

/**
 * Makes a logger that records in memory: the real logger (levels, categories, bindings,
 * redaction and serialization as in production) with a synchronous sink that keeps each
 * record. With neither `level` nor `levels` it logs every level and does not read
 * `SLUICE_LEVEL`, so a test does not depend on the shell it runs in.
 *
 * @param options Logger options (not `sinks`, `mode`, `exitHooks`).
 * @returns The logger, with `records`, `assertLogged`, `assertNotLogged` and `clear`.
 * @example
 * ```ts
 * import { createTestLogger } from "../testing.ts";
 * const log = createTestLogger({ redact: ["password"] });
 * log.info("login", { user: "ada", password: "hunter2" });
 * log.assertLogged({ msg: "login", fields: { password: "[Redacted]" } });
 * log.assertNotLogged({ level: "error" });
 * ```
 */
export function createTestLogger(options: TestLoggerOptions = {}): TestLogger {
  let records: TestRecord[] = [];
  const sink: Sink<readonly LogRecord[]> = {
    name: "test",
    sync: true,
    defaultOnFull: "block",
    encode: (batch) => batch,
    write(batch) {
      for (const r of batch) records.push({ ...r, fields: recordFields(r) });
    },
    close() {},
  };
  const level = options.level ?? (options.levels === undefined ? "trace" : undefined);
  const log = createLogger({ ...options, level, sinks: [sink], mode: "sync", exitHooks: false });
  return Object.defineProperties(log, {
    records: { get: () => records },
    assertLogged: {
      value(query: RecordQuery): TestRecord {
        checkQuery(query);
        const found = records.find((r) => differences(r, query).length === 0);
        if (found) return found;
        throw new Error(`sluice/testing: no record matches ${describeQuery(query)}\n${closest(records, query)}`);
      },
    },
    assertNotLogged: {
      value(query: RecordQuery): void {
        checkQuery(query);
        const found = records.filter((r) => differences(r, query).length === 0);
        if (found.length === 0) return;
        const lines = found.slice(0, SHOWN).map((r) => `  ${line(r)}`);
        if (found.length > SHOWN) lines.push(`  … and ${found.length - SHOWN} more`);
        throw new Error(`sluice/testing: ${found.length} record(s) match ${describeQuery(query)}, expected none:\n${lines.join("\n")}`);
      },
    },
    clear: {
      value(): void {
        records = [];
      },
    },
  }) as TestLogger;
}

/** The records closest to `query` (fewest differences, the earliest first), with what differs. */
function closest(records: readonly TestRecord[], query: RecordQuery): string {
  if (records.length === 0) return "no record was logged (since the start or the last clear())";
  const ranked = records.map((r, i) => ({ r, i, diff: differences(r, query) })).sort((a, b) => a.diff.length - b.diff.length || a.i - b.i);
  const shown = ranked.slice(0, SHOWN).map(({ r, diff }) => `  ${line(r)}\n    ${diff.join("; ")}`);
  return `${records.length} record(s) logged; the closest:\n${shown.join("\n")}`;
}

/** One record as a failure message shows it: its NDJSON line without the time. */
function line(r: TestRecord): string {
  return show({ level: r.level, category: r.category, msg: r.msg, ...r.fields });
}
