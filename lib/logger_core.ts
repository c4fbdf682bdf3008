/**
 * What a logger and its children share: channels, exit hooks, error reporting.
 *
 * @module
 */
import { detectRuntime } from "./runtime/detect.ts";
import { type Channel, createChannel } from "./channel.ts";
import { toError } from "./errors.ts";
import type { LoggerOptions } from "./logger_options.ts";
import { type LoggerStats, sumStats } from "./logger_stats.ts";
import type { LogRecord } from "./record.ts";
import { createRedactor } from "./redact.ts";
import type { LevelSpec } from "./level_spec.ts";
import { type LevelName, type LevelThreshold, levelValue } from "./levels.ts";
import type { LogMethod } from "./log_call.ts";
import { queueRenamed } from "./queue_options.ts";
import { defaultSink } from "./sinks/console_lines.ts";
import { callerHooks } from "./caller.ts";
import { watchOtelRegistry } from "./trace_context.ts";
import type { hookExit } from "./exit_hooks.ts";

/** `hookExit` (lib/exit_hooks.ts), registered by the server entries: a worker has no process exit. */
let exitHooks: typeof hookExit | undefined;

/**
 * Lets loggers hook into the process's exit (done by `adapters/server_runtimes.ts`).
 *
 * @example
 * ```ts
 * import { hookExit } from "./exit_hooks.ts";
 * registerExitHooks(hookExit);
 * ```
 */
export function registerExitHooks(hooks: typeof hookExit): void {
  exitHooks = hooks;
}

/** `parseLevels`, registered by the server entries; the web entry leaves it out of a worker's bundle. */
let parser: ((spec: string, source: string) => LevelSpec) | undefined;

/**
 * Lets `levels`, `SLUICE_LEVEL` and `setLevels` take a spec as text (done by
 * `adapters/server_runtimes.ts`; on the web entry, pass `parseLevels(spec)` instead).
 *
 * @example
 * ```ts
 * import { parseLevels } from "./level_spec.ts";
 * import { registerLevelParser } from "./logger_core.ts";
 * registerLevelParser(parseLevels);
 * ```
 */
export function registerLevelParser(parse: (spec: string, source: string) => LevelSpec): void {
  parser = parse;
}

/**
 * The state a logger and all its children share: the channels (one per sink), the exit hooks
 * and the error reporter. Internal: made by `createLogger` with {@linkcode createLoggerCore}.
 */
export interface LoggerCore {
  /** The lowest level any sink takes (set once the channels are made). */
  minSinkLevel: number;
  /** `caller: true`: records carry where they were logged from. */
  readonly caller: boolean;
  /** The `redact` option's redactor, if any. */
  readonly redact: (<T extends object>(v: T) => T) | undefined;
  /** Reports to the user's `onError`; never throws. */
  readonly report: (err: Error) => void;
  /** Counts `setLevels` calls: a logger whose methods were set for an older generation sets them again. */
  generation: number;
  /** The disabled level methods of this generation, made by the Logger and shared by its loggers. */
  disabled?: { generation: number; methods: Record<LevelName, LogMethod> };
  /**
   * Replaces the levels of every logger sharing this core, as `levels: spec` would have set them
   * at creation (levels set in code included); a malformed spec throws and changes nothing.
   */
  setLevels(spec: string | LevelSpec, source?: string): void;
  /** The level of a logger of `category`: the spec's for it, else the `level` option. */
  levelOf(category: string | undefined): LevelThreshold;
  /** Hands a record at level `value` to every sink that takes that level. */
  emit(record: LogRecord, value: number): void;
  /** Resolves when every record handed over before the call is written. */
  flush(): Promise<void>;
  /** Resolves when every queue has room; rejects with `DrainTimeoutError` after `timeoutMs`. */
  drained(timeoutMs: number): Promise<void>;
  /** Reopens every sink's files; a sink that fails is reported, the others still reopen. */
  reopen(): void;
  /** The counters of every sink, and their sums. */
  stats(): LoggerStats;
  /** Flushes, then releases every sink (once). */
  close(): Promise<void>;
}

/**
 * Makes the {@linkcode LoggerCore} of a logger made with `options`.
 *
 * @param options The logger's options.
 * @returns The core.
 * @example
 * ```ts
 * import { createRecord, fileSink } from "../mod.ts";
 * const core = createLoggerCore({ sinks: [fileSink("./logs/app.ndjson")] });
 * core.emit(createRecord(Date.now(), "info", undefined, "hi", "}"), 30);
 * await core.close();
 * ```
 */
export function createLoggerCore(options: LoggerOptions): LoggerCore {
  if ("queue" in options) throw queueRenamed("createLogger's option queue");
  const runtime = options.runtime ?? detectRuntime();
  const onError = options.onError ?? ((err: Error) => console.error(String(err?.stack ?? err)));
  const report = (err: Error) => {
    try {
      onError(err);
    } catch { /* a throwing onError must not reach a log call */ }
  };
  const mode = options.mode ?? "async";
  if (mode !== "async" && mode !== "sync") throw new TypeError(`sluice: mode must be "async" or "sync", got ${JSON.stringify(mode)}`);
  const sync = mode === "sync";
  const caller = options.caller === true;
  if (caller && !callerHooks) {
    throw new TypeError("sluice: caller: true on the web entry needs enableCallerCapture() first");
  }
  /** The `level` option: the level of a category the levels spec gives none. */
  const level = options.level ?? "info";
  /** The levels per category; replaced by `setLevels`. */
  let levels: LevelSpec | undefined;
  let logged = 0;
  let closing: Promise<void> | undefined;
  let unhook: (() => void)[] = [];
  let channels: Channel[] = [];
  /** Runs `f` on every channel at once; resolves when all are done. */
  const each = (f: (c: Channel) => Promise<void>): Promise<void> => Promise.all(channels.map(f)).then(() => {});
  const core: LoggerCore = {
    minSinkLevel: 0,
    caller,
    redact: options.redact?.length ? createRedactor(options.redact) : undefined,
    report,
    generation: 0,
    setLevels(spec, source = "setLevels") {
      // what is not a parsed spec is read as text: a malformed one throws the parser's TypeError
      if (typeof (spec as LevelSpec)?.levelOf !== "function") {
        if (!parser) throw new TypeError("sluice: levels as text needs the server entry (web: parseLevels)");
        spec = parser(spec as string, source);
      }
      levels = spec as LevelSpec;
      core.generation++;
    },
    levelOf: (category) => levels?.levelOf(category) ?? level,
    emit(record, value) {
      logged++;
      for (let i = 0; i < channels.length; i++) {
        const ch = channels[i];
        if (value >= ch.minLevel) {
          ch.push(record);
          if (sync) ch.drainSync(true);
        }
      }
    },
    flush: () => each((c) => c.flush()),
    drained: (timeoutMs) => each((c) => c.drained(timeoutMs)),
    reopen() {
      for (const c of channels) {
        try {
          c.sink.reopen?.();
        } catch (err) {
          report(toError(err));
        }
      }
    },
    stats: () => sumStats(logged, channels.map((c) => c.stats())),
    // a second close (a framework's shutdown hook, then the app's) waits for the first
    close: () =>
      closing ??= each((c) => c.close()).then(() => {
        for (const u of unhook) u();
      }),
  };
  levelValue(level);
  const spec = options.levels ?? (options.level ? undefined : runtime.env?.("SLUICE_LEVEL"));
  if (spec !== undefined) core.setLevels(spec, options.levels === undefined ? "SLUICE_LEVEL" : "levels");
  watchOtelRegistry();
  const sinks = options.sinks ?? [defaultSink(runtime)];
  channels = sinks.map((sink) => {
    if (sync && !sink.sync) {
      throw new TypeError(`sluice: mode "sync" needs sinks that write synchronously; ${sink.name} does not`);
    }
    return createChannel(sink, { queue: options, batch: options.batch, onError: report, unrefTimer: runtime.unrefTimer });
  });
  core.minSinkLevel = Math.min(...channels.map((c) => c.minLevel));
  if (options.exitHooks ?? true) unhook = exitHooks?.(channels, runtime) ?? [];
  return core;
}
