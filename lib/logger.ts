/**
 * The logger: its level methods, children, and the calls that reach every sink.
 *
 * @module
 */
import { attempt, readMember } from "./read_value.ts";
import { toError } from "./errors.ts";
import { LEVEL_NAMES, LEVEL_VALUES, type LevelName, type LevelThreshold, levelValue } from "./levels.ts";
import { buildRecord, type LogRecord, recordPrefix } from "./record.ts";
import { fieldsTail, serializeMembers } from "./serialize.ts";
import { createLoggerCore, type LoggerCore } from "./logger_core.ts";
import type { LoggerOptions } from "./logger_options.ts";
import type { LoggerStats } from "./logger_stats.ts";
import { contextMembers } from "./context.ts";
import { activeSpanMembers, otelRegistered } from "./trace_context.ts";
import { callerHooks } from "./caller.ts";
import type { ChildOptions, Fields, LogMethod, Message } from "./log_call.ts";
import type { LevelSpec } from "./level_spec.ts";

/** `v` as the core's redaction leaves it. */
const redacted = <T extends object>(core: LoggerCore, v: T): T => core.redact ? core.redact(v) : v;
/** Each level's enabled method, made from the levels table by {@linkcode Logger}'s static block. */
const LEVEL_METHODS = {} as Record<LevelName, LogMethod>;

/**
 * A structured logger. Make one with {@linkcode createLogger}; make children with
 * {@linkcode Logger.child}. Log calls never throw and never wait on I/O in async mode.
 *
 * @example
 * ```ts
 * import { createLogger, fileSink } from "../mod.ts";
 * const log = createLogger({ sinks: [fileSink("./logs/app.ndjson")] });
 * log.info("request handled", { route: "/api/items", ms: 12 });
 * await log.close();
 * ```
 */
export class Logger {
  readonly #core: LoggerCore;
  readonly #category: string | undefined;
  readonly #prefixes: Record<LevelName, string>; // each level's text between time and message, shared by a category
  readonly #bindings: string;
  /** The core's generation (count of `setLevels`) that the level and threshold were set for. */
  #generation = 0;
  #level!: LevelThreshold;
  #threshold!: number;

  /** @internal Use {@linkcode createLogger}. */
  constructor(core: LoggerCore, category: string | undefined, bindings: string, level: LevelThreshold, prefixes?: Record<LevelName, string>) {
    if (category !== undefined && typeof category !== "string") throw new TypeError("sluice: category must be a string");
    this.#core = core;
    this.#category = category;
    this.#prefixes = prefixes ?? Object.fromEntries(LEVEL_NAMES.map((name) => [name, recordPrefix(name, category)])) as Record<LevelName, string>;
    this.#bindings = bindings;
    this.level = level;
  }

  /** The lowest level this logger writes; settable at run time (until the next `setLevels`). */
  get level(): LevelThreshold {
    this.#current();
    return this.#level;
  }

  /**
   * Sets this logger's level (and that of children it makes of its category), until the next
   * `setLevels`, and points each level's method at the logging path or at a disabled method.
   */
  set level(level: LevelThreshold) {
    const core = this.#core;
    const threshold = this.#threshold = Math.max(levelValue(level), core.minSinkLevel);
    this.#level = level;
    this.#generation = core.generation;
    if (core.disabled?.generation !== core.generation) core.disabled = Logger.#disabled(core);
    const off = core.disabled.methods;
    for (const name of LEVEL_NAMES) this[name] = threshold <= LEVEL_VALUES[name] ? LEVEL_METHODS[name] : off[name];
  }

  /** After a `setLevels`, sets the level its category now gets. */
  #current(): void {
    if (this.#generation !== this.#core.generation) this.level = this.#core.levelOf(this.#category);
  }

  /**
   * Replaces the levels of this logger, its root and every logger made from them, children
   * already made included, as `createLogger({ levels: spec })` would have set them (levels set in
   * code with `level` give way too). A malformed spec throws a `TypeError` and changes nothing.
   *
   * @param spec A levels spec such as `"info,db=debug,http.*=warn,-noisy"` (on the web entry, `parseLevels(spec)`).
   * @example
   * ```ts
   * import { createLogger } from "../mod.ts";
   * const log = createLogger(), db = log.child({}, { category: "db" });
   * log.setLevels("info,db=debug"); // db.debug(…) is now written
   * ```
   */
  setLevels(spec: string | LevelSpec): void {
    this.#core.setLevels(spec);
  }

  /** This logger's category, or `undefined`. */
  get category(): string | undefined {
    return this.#category;
  }

  /** True when a record at `level` would be written by at least one sink. */
  isLevelEnabled(level: LevelName): boolean {
    this.#current();
    return levelValue(level) >= this.#threshold;
  }

  /** Logs at `trace` (a no-op function while trace is below the threshold). @example `log.trace("cache probe", { key })` */
  declare trace: LogMethod;
  /** Logs at `debug`. @example `log.debug(() => "expensive " + dump(state))` */
  declare debug: LogMethod;
  /** Logs at `info`. @example `log.info("request handled", { route: "/api/items", ms: 12 })` */
  declare info: LogMethod;
  /** Logs at `warn`. @example `log.warn("slow query", { ms: 950 })` */
  declare warn: LogMethod;
  /** Logs at `error`. @example `log.error("upstream failed", { err })` or `log.error(err)` */
  declare error: LogMethod;
  /** Logs at `fatal`. @example `log.fatal("cannot start", { err })` */
  declare fatal: LogMethod;

  /** The enabled method of each level, from the levels table: it logs, unless a `setLevels` since disabled it. */
  static {
    for (const name of LEVEL_NAMES) {
      const value = LEVEL_VALUES[name];
      const on = LEVEL_METHODS[name] = function (this: Logger, msg: Message, fields?: Fields): void {
        if (this.#generation === this.#core.generation) this.#log(name, value, msg, fields, on);
        else this.#call(name, value, msg, fields, on);
      };
    }
  }

  /**
   * The disabled methods of a core's current generation, shared by its loggers: a disabled call
   * is one comparison of the core's generation with the one they were made for (then, with
   * `caller: true`, it forgets a location left for it); after a `setLevels` it looks the level up.
   */
  static #disabled(core: LoggerCore): { generation: number; methods: Record<LevelName, LogMethod> } {
    const { generation, caller } = core;
    const methods = {} as Record<LevelName, LogMethod>;
    for (const name of LEVEL_NAMES) {
      const value = LEVEL_VALUES[name];
      const off = methods[name] = function (this: Logger, msg: Message, fields?: Fields): void {
        if (core.generation !== generation) this.#call(name, value, msg, fields, off);
        else if (caller) callerHooks!.forget();
      };
    }
    return { generation, methods };
  }

  /** A call after a `setLevels`: the level looked up again, then the record logged or (with `caller: true`) its location forgotten. */
  #call(level: LevelName, value: number, msg: Message, fields: Fields | undefined, method: LogMethod): void {
    this.#current();
    if (value >= this.#threshold) this.#log(level, value, msg, fields, method);
    else if (this.#core.caller) callerHooks!.forget();
  }

  /**
   * Forwards a record made elsewhere (a collector receiving records, a worker's batch) to this
   * logger's sinks, subject to the level threshold. Never throws.
   *
   * @example
   * ```ts
   * import { createLogger, createRecord } from "../mod.ts";
   * const log = createLogger();
   * log.emit(createRecord(Date.now(), "warn", "edge", "forwarded", ',"producer":"edge-1"}'));
   * await log.close();
   * ```
   */
  emit(record: LogRecord): void {
    try {
      const value = levelValue(record.level, LEVEL_VALUES); // a record at "silent" is refused
      this.#current();
      if (value >= this.#threshold) this.#core.emit(record, value);
    } catch (err) {
      this.#core.report(toError(err));
    }
  }

  /**
   * A logger that adds `bindings` to each record and, optionally, a category and its own
   * level. It shares its parent's sinks and queues. Its level: its own `level`, else its
   * parent's when it keeps the parent's category, else the one its category gets from `levels`.
   *
   * @example
   * ```ts
   * import { createLogger } from "../mod.ts";
   * const log = createLogger();
   * const req = log.child({ reqId: "r1" }, { category: "http" });
   * req.info("start"); // {"time":…,"level":"info","category":"http","msg":"start","reqId":"r1"}
   * await log.close();
   * ```
   */
  child(bindings: object = {}, options: ChildOptions = {}): Logger {
    const core = this.#core;
    const same = options.category === undefined;
    const category = same ? this.#category : this.#category === undefined ? options.category : this.#category + "." + options.category;
    const data = this.#bindings + serializeMembers(redacted(core, bindings));
    return new Logger(core, category, data, options.level ?? (same ? this.level : core.levelOf(category)), same ? this.#prefixes : undefined);
  }

  /** Resolves when every record logged before the call is written (and fsync'd where durable). */
  flush(): Promise<void> {
    return this.#core.flush();
  }

  /**
   * Reopens the files of every sink that has them, after an external log rotation. Rotating
   * and category file sinks also do it on SIGHUP.
   *
   * @example
   * ```ts
   * import { createLogger, fileSink } from "../mod.ts";
   * const log = createLogger({ sinks: [fileSink("./logs/app.ndjson")] });
   * log.reopen(); // after logrotate moved ./logs/app.ndjson away
   * await log.close();
   * ```
   */
  reopen(): void {
    this.#core.reopen();
  }

  /** Flushes, then releases every sink. Records logged once it was called (while it flushes too) are counted as `closed`. */
  close(): Promise<void> {
    return this.#core.close();
  }

  /**
   * Resolves when every sink's queue has room; rejects with `DrainTimeoutError` if one stays
   * full for `timeoutMs` (default 5000).
   *
   * @example
   * ```ts
   * import { createLogger, fileSink } from "../mod.ts";
   * const log = createLogger({ sinks: [fileSink("./logs/rows.ndjson")] });
   * const rows = Array.from({ length: 100 }, (_, i) => ({ i }));
   * for (const row of rows) { log.info("row", row); if (log.stats().queued > 10_000) await log.drained(); }
   * await log.close();
   * ```
   */
  drained(options: { timeoutMs?: number } = {}): Promise<void> {
    return this.#core.drained(options.timeoutMs ?? 5000);
  }

  /** Counters: records logged, written, dropped by reason, queued, batch write latency. */
  stats(): LoggerStats {
    return this.#core.stats();
  }

  #log(level: LevelName, value: number, msg: Message, fields: Fields | undefined, method: LogMethod): void {
    const core = this.#core;
    try {
      // the caller first: a message or fields function that logs must not take this call's location
      let head = this.#bindings;
      if (core.caller) head += callerHooks!.member(method, this);
      if (typeof msg !== "string") {
        if (typeof msg === "function") msg = msg();
        if (msg instanceof Error) {
          fields = { err: msg, ...(typeof fields === "function" ? fields() : fields) };
          msg = readMember(msg, "message") as string;
        }
        if (typeof msg !== "string") msg = attempt(() => String(msg)) as string; // "[Throws: …]" when it cannot be (a null-prototype object)
      }
      if (typeof fields === "function") fields = fields();
      // the fields as the line's end (`,"a":1}`): the line is put together without taking an object text apart
      const tail = fields == null ? "}" : fieldsTail(redacted(core, fields));
      // outside any context and without OpenTelemetry, two flag reads: nothing is looked up
      if (contextMembers) head += contextMembers(core.redact);
      else if (otelRegistered) head += activeSpanMembers();
      core.emit(buildRecord(Date.now(), level, this.#category, this.#prefixes[level], msg as string, head + tail), value);
    } catch (err) {
      core.report(toError(err));
    }
  }
}

/**
 * Makes a logger.
 *
 * @param options Level, sinks, queue and batch limits, redaction, error reporting.
 * @returns The root logger.
 * @example
 * ```ts
 * import { createLogger, fileSink, consoleSink } from "../mod.ts";
 * const log = createLogger({ level: "info", sinks: [fileSink("./logs/app.ndjson"), consoleSink()] });
 * log.info("request handled", { route: "/api/items", ms: 12 });
 * await log.flush();
 * ```
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const core = createLoggerCore(options);
  const bindings = options.bindings ? serializeMembers(redacted(core, options.bindings)) : "";
  return new Logger(core, options.category, bindings, core.levelOf(options.category));
}
