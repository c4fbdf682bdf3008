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
import { QUEUE_NAMES } from "./queue_options.ts";
import { consoleSink } from "./sinks/console_sink.ts";
import { callerCaptureRegistered } from "./caller.ts";
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
 * and the error reporter. Internal: made by `createLogger`.
 *
 * @example
 * ```ts
 * import { createRecord, fileSink } from "../mod.ts";
 * const core = new LoggerCore({ sinks: [fileSink("./logs/app.ndjson")] });
 * core.emit(createRecord(Date.now(), "info", undefined, "hi", "}"), 30);
 * await core.close();
 * ```
 */
export class LoggerCore {
  readonly #channels: Channel[];
  declare readonly minSinkLevel: number;
  declare readonly sync: boolean;
  /** `caller: true`: records carry where they were logged from. */
  declare readonly caller: boolean;
  declare readonly redact: (<T extends object>(v: T) => T) | undefined;
  /** Reports to the user's `onError`; never throws. */
  declare readonly report: (err: Error) => void;
  logged = 0;
  closed = false;
  /** The levels per category; replaced by {@linkcode LoggerCore.setLevels}. */
  levels: LevelSpec | undefined;
  /** Counts `setLevels` calls: a logger whose methods were set for an older generation sets them again. */
  generation = 0;
  /** The disabled level methods of this generation, made by the Logger and shared by its loggers. */
  disabled: { generation: number; methods: Record<LevelName, LogMethod> } | undefined;
  /** The `level` option: the level of a category the levels spec gives none. */
  declare readonly level: LevelThreshold;
  #unhook: (() => void)[] = [];

  constructor(options: LoggerOptions) {
    if ("queue" in options) throw new TypeError(`sluice: createLogger's option queue was renamed; use ${QUEUE_NAMES}`);
    const runtime = options.runtime ?? detectRuntime();
    const onError = options.onError ?? ((err: Error) => console.error(String(err?.stack ?? err)));
    this.report = (err: Error) => {
      try {
        onError(err);
      } catch { /* a throwing onError must not reach a log call */ }
    };
    const mode = options.mode ?? "async";
    if (mode !== "async" && mode !== "sync") throw new TypeError(`sluice: mode must be "async" or "sync", got ${JSON.stringify(mode)}`);
    this.sync = mode === "sync";
    this.caller = options.caller === true;
    if (this.caller && !callerCaptureRegistered()) {
      throw new TypeError("sluice: caller: true on the web entry needs enableCallerCapture() first");
    }
    this.redact = options.redact?.length ? createRedactor(options.redact) : undefined;
    levelValue(this.level = options.level ?? "info");
    const levels = options.levels ?? (options.level ? undefined : runtime.env?.("SLUICE_LEVEL"));
    if (levels !== undefined) this.setLevels(levels, options.levels === undefined ? "SLUICE_LEVEL" : "levels");
    watchOtelRegistry();
    const sinks = options.sinks ?? [consoleSink({ runtime })];
    this.#channels = sinks.map((sink) => {
      if (this.sync && !sink.sync) {
        throw new TypeError(`sluice: mode "sync" needs sinks that write synchronously; ${sink.name} does not`);
      }
      return createChannel(sink, { queue: options, batch: options.batch, onError: this.report, unrefTimer: runtime.unrefTimer });
    });
    this.minSinkLevel = Math.min(...this.#channels.map((c) => c.minLevel));
    if (options.exitHooks ?? true) this.#unhook = exitHooks?.(this.#channels, runtime) ?? [];
  }

  /**
   * Replaces the levels of every logger sharing this core, as `levels: spec` would have set them
   * at creation (levels set in code included); a malformed spec throws and changes nothing.
   */
  setLevels(spec: string | LevelSpec, source = "setLevels"): void {
    if (typeof spec === "string") {
      if (!parser) throw new TypeError("sluice: levels as text needs the server entry (web: parseLevels)");
      spec = parser(spec, source);
    }
    this.levels = spec;
    this.generation++;
  }

  /** The level of a logger of `category`: the spec's for it, else the `level` option. */
  levelOf(category: string | undefined): LevelThreshold {
    return this.levels?.levelOf(category) ?? this.level;
  }

  /** Hands a record at level `value` to every sink that takes that level. */
  emit(record: LogRecord, value: number): void {
    this.logged++;
    const channels = this.#channels;
    for (let i = 0; i < channels.length; i++) {
      const ch = channels[i];
      if (value >= ch.minLevel) {
        ch.push(record);
        if (this.sync) ch.drainSync(true);
      }
    }
  }

  /** Resolves when every record handed over before the call is written. */
  flush(): Promise<void> {
    return this.#each((c) => c.flush());
  }

  /** Runs `f` on every channel at once; resolves when all are done. */
  #each(f: (c: Channel) => Promise<void>): Promise<void> {
    return Promise.all(this.#channels.map(f)).then(() => {});
  }

  /** Resolves when every queue has room; rejects with `DrainTimeoutError` after `timeoutMs`. */
  drained(timeoutMs: number): Promise<void> {
    return this.#each((c) => c.drained(timeoutMs));
  }

  /** Reopens every sink's files; a sink that fails is reported, the others still reopen. */
  reopen(): void {
    for (const c of this.#channels) {
      try {
        c.sink.reopen?.();
      } catch (err) {
        this.report(toError(err));
      }
    }
  }

  /** The counters of every sink, and their sums. */
  stats(): LoggerStats {
    return sumStats(this.logged, this.#channels.map((c) => c.stats()));
  }

  /** Flushes, then releases every sink (once). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.#each((c) => c.close());
    for (const u of this.#unhook) u();
  }
}
