/**
 * A sluice logger behind the pino-shaped interface Fastify calls (`level`, `child`, and
 * `trace` … `fatal`, `silent` taking `(obj, msg, ...args)` or `(msg, ...args)`), with pino's
 * serializers and printf-style messages.
 *
 * @module
 */
import { LEVEL_VALUES } from "../lib/levels.ts";
import type { LevelName, LevelThreshold } from "../lib/levels.ts";
import type { Logger } from "../lib/logger.ts";

/** Functions that turn a field's value into what is logged, by field name (pino's `serializers`). */
export type Serializers = Record<string, (value: unknown) => unknown>;

/**
 * Builds a message from a printf-style format: `%s`, `%d`, `%i`, `%f`, `%j`, `%o`, `%O` take the
 * next argument, `%%` is `%`; a placeholder without an argument stays as it is.
 *
 * @param format The message, with placeholders.
 * @param args The values.
 * @returns The message.
 * @example
 * ```ts
 * import { formatMessage } from "./pino_logger.ts";
 * formatMessage("User %s logged in %d times: %j", ["alice", 3, { ok: true }]); // 'User alice logged in 3 times: {"ok":true}'
 * ```
 */
export function formatMessage(format: string, args: readonly unknown[]): string {
  if (format.indexOf("%") === -1) return format;
  let i = 0;
  return format.replace(/%([sdifjoO%])/g, (whole, c: string) => {
    if (c === "%") return "%";
    if (i >= args.length) return whole;
    const a = args[i++];
    switch (c) {
      case "s":
        return typeof a === "object" && a !== null ? json(a) : String(a);
      case "d":
      case "f":
        return String(Number(a));
      case "i":
        return String(Math.trunc(Number(a)));
      default:
        return json(a);
    }
  });
}

function json(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return "[Circular]";
  }
}

/** pino's level tables: numbers by name and names by number. */
export interface PinoLevels {
  /** The number of each level name. */
  readonly values: Readonly<Record<string, number>>;
  /** The name of each level number. */
  readonly labels: Readonly<Record<number, string>>;
}

/** pino's level numbers, which Fastify reads to check a route's `logLevel`. */
const LEVELS: PinoLevels = Object.freeze({
  values: Object.freeze({ ...LEVEL_VALUES }),
  labels: Object.freeze(Object.fromEntries(Object.entries(LEVEL_VALUES).map(([k, v]) => [v, k]))),
});

/**
 * The pino-shaped logger: each call becomes one sluice record, fields from the object (through
 * the serializers) and the message formatted printf-style.
 *
 * @example
 * ```ts
 * import { createLogger } from "../mod.ts";
 * import { PinoShapedLogger } from "./pino_logger.ts";
 * const log = new PinoShapedLogger(createLogger(), {});
 * log.info({ userId: 7 }, "user %s logged in", "alice");
 * log.child({ reqId: "r-1" }).warn("slow");
 * ```
 */
export class PinoShapedLogger {
  #log: Logger;
  /** The serializers applied to fields and bindings by name. */
  readonly serializers: Serializers;
  /** pino's level tables (Fastify checks a route's `logLevel` against them). */
  readonly levels: PinoLevels = LEVELS;

  /**
   * Wraps a sluice logger.
   *
   * @param log The sluice logger written to.
   * @param serializers Serializers by field name.
   */
  constructor(log: Logger, serializers: Serializers) {
    this.#log = log;
    this.serializers = serializers;
  }

  /** The sluice logger behind this one. */
  get sluice(): Logger {
    return this.#log;
  }

  /** The lowest level written; setting it affects this logger and the children made after. */
  get level(): string {
    return this.#log.level;
  }
  set level(level: string) {
    if (level === this.#log.level) return;
    // a child with its own level, so a logger shared with others keeps its own
    this.#log = this.#log.child({}, { level: level as LevelThreshold });
  }

  /**
   * A logger adding `bindings` (through the serializers) to its records; `options.level` and
   * `options.serializers` as pino takes them.
   */
  child(bindings: Record<string, unknown>, options: { level?: string; serializers?: Serializers } = {}): PinoShapedLogger {
    const serializers = options.serializers === undefined ? this.serializers : { ...this.serializers, ...options.serializers };
    const fields = serialized(bindings, serializers);
    const level = options.level === undefined || options.level === "" ? undefined : options.level as LevelThreshold;
    const log = fields === undefined && level === undefined ? this.#log : this.#log.child(fields ?? {}, level === undefined ? {} : { level });
    return new PinoShapedLogger(log, serializers);
  }

  /** The same serializers and level around another sluice logger (a request's). */
  around(log: Logger): PinoShapedLogger {
    const shaped = new PinoShapedLogger(log, this.serializers);
    if (this.#log.level !== log.level) shaped.level = this.#log.level;
    return shaped;
  }

  /** Logs at `trace`. */
  trace(...args: unknown[]): void {
    this.#write("trace", args);
  }
  /** Logs at `debug`. */
  debug(...args: unknown[]): void {
    this.#write("debug", args);
  }
  /** Logs at `info`. */
  info(...args: unknown[]): void {
    this.#write("info", args);
  }
  /** Logs at `warn`. */
  warn(...args: unknown[]): void {
    this.#write("warn", args);
  }
  /** Logs at `error`. */
  error(...args: unknown[]): void {
    this.#write("error", args);
  }
  /** Logs at `fatal`. */
  fatal(...args: unknown[]): void {
    this.#write("fatal", args);
  }
  /** Writes nothing (pino's `silent` level method). */
  silent(..._args: unknown[]): void {}

  // one pass over the arguments, no destructuring: Fastify calls this twice per request
  #write(level: LevelName, args: unknown[]): void {
    const log = this.#log;
    if (!log.isLevelEnabled(level)) return;
    const first = args[0];
    if (typeof first === "object" && first !== null) {
      let fields: Record<string, unknown> | undefined;
      let msg: unknown = args[1];
      if (first instanceof Error) {
        fields = serialized({ err: first }, this.serializers);
        if (msg === undefined) msg = first.message;
      } else {
        const own = (first as Record<string, unknown>).msg;
        fields = serialized(first as Record<string, unknown>, this.serializers, true);
        if (msg === undefined) msg = own;
      }
      log[level](typeof msg === "string" ? formatFrom(msg, args, 2) : msg === undefined ? "" : String(msg), fields);
    } else {
      log[level](typeof first === "string" ? formatFrom(first, args, 1) : first === undefined ? "" : String(first));
    }
  }
}

/** {@linkcode formatMessage} with the arguments from `args[from]` on (copied only when the message has a placeholder). */
function formatFrom(format: string, args: readonly unknown[], from: number): string {
  return format.indexOf("%") === -1 ? format : formatMessage(format, args.slice(from));
}

/**
 * `fields` with each serializer applied to its field; `undefined` when empty. With `call` (a log
 * call's object), only its own members but `msg`, as `{ msg, ...rest }` keeps them.
 */
function serialized(fields: Record<string, unknown>, serializers: Serializers, call = false): Record<string, unknown> | undefined {
  let out: Record<string, unknown> | undefined;
  for (const key in fields) {
    if (call && (key === "msg" || !Object.hasOwn(fields, key))) continue;
    const s = serializers[key];
    (out ??= {})[key] = s === undefined ? fields[key] : s(fields[key]);
  }
  return out;
}
