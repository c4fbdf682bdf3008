/**
 * What the logger's methods take: a log call's message and fields, a level method's type, and
 * the options of a child logger.
 *
 * @module
 */
import type { LevelThreshold } from "./levels.ts";

/**
 * A message: a string, an `Error` (its message, with the error logged as `err`), or a function called only when the level is enabled.
 *
 * @example
 * ```ts
 * import { createLogger } from "../mod.ts";
 * const log = createLogger();
 * log.error(new Error("boom")); // the message is the error's, the error goes in err
 * await log.close();
 * ```
 */
export type Message = string | Error | (() => string);
/**
 * Fields: an object, or a function returning one, called only when the level is enabled.
 *
 * @example
 * ```ts
 * import { createLogger } from "../mod.ts";
 * const log = createLogger({ level: "warn" });
 * const cache = new Map([["a", 1]]);
 * log.info("cache probe", () => ({ keys: cache.size })); // not called: info is below warn
 * await log.close();
 * ```
 */
export type Fields = object | (() => object);

/**
 * A level's log method: `log.info(msg, fields?)`. Call it on its logger: the methods are not
 * bound, so pass `(msg, fields) => log.warn(msg, fields)` where a detached function is needed.
 *
 * @example
 * ```ts
 * import { createLogger, type LogMethod } from "../mod.ts";
 * const log = createLogger();
 * const warn: LogMethod = (msg, fields) => log.warn(msg, fields);
 * warn("disk almost full", { pct: 93 });
 * await log.close();
 * ```
 */
export type LogMethod = (msg: Message, fields?: Fields) => void;

/**
 * Options of `Logger.child`.
 *
 * @example
 * ```ts
 * import { createLogger } from "../mod.ts";
 * const log = createLogger();
 * log.child({ reqId: "r1" }, { category: "http", level: "debug" }).debug("parsed headers");
 * await log.close();
 * ```
 */
export interface ChildOptions {
  /** Appended to the parent's category with a dot (`"http"` → `"http.db"`). */
  category?: string;
  /** The child's own lowest level (until the next `setLevels`). */
  level?: LevelThreshold;
}
