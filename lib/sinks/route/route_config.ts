/**
 * `routes.json`: the routing table of `sluice serve --route`, read and checked.
 *
 * @module
 */
import { LEVEL_NAMES, type LevelName } from "../../levels.ts";
import type { LogRecord } from "../../record.ts";
import { recordField } from "../../record_field.ts";
import type { BreakerOptions } from "./breaker.ts";

/**
 * One target of `routes.json`: an HTTP endpoint that takes NDJSON (an analyzer, another
 * collector's `/ingest`).
 *
 * @example
 * ```ts
 * const t: RouteFileTarget = { name: "a1", url: "http://10.0.0.1/ingest", weight: 3, level: "info", category: "checkout" };
 * ```
 */
export interface RouteFileTarget {
  /** A unique name: stats, `/metrics` and the default spool directory use it. */
  name: string;
  /** Where batches are POSTed (http or https). */
  url: string;
  /** Its share of the records. @default 1 */
  weight?: number;
  /** The lowest level it takes. */
  level?: LevelName;
  /** Takes only records whose category starts with this. */
  category?: string;
  /** A fan-out target (an archive): gets a copy of every record it takes, outside the distribution. */
  copy?: boolean;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** Gzip bodies. @default false */
  gzip?: boolean;
  /** One request's timeout, ms. @default 2000 */
  timeoutMs?: number;
  /** Quick retries of a failed request before the batch moves to another target. @default 1 */
  retries?: number;
  /** Where its records wait while no target is up; `false` for none (they are then counted lost). @default `<dir>/.sluice/route-spool/<name>` */
  spool?: string | false;
}

/**
 * The whole of `routes.json`.
 *
 * @example
 * ```ts
 * const file: RouteFile = { key: "producer", breaker: { failures: 5, openMs: 5000 }, targets: [{ name: "a1", url: "http://10.0.0.1/ingest" }] };
 * ```
 */
export interface RouteFile {
  /** Sticky routing: records with the same value of this field go to the same target (consistent hashing). */
  key?: string;
  /** Each target's circuit breaker. */
  breaker?: BreakerOptions;
  /** The targets (at least one that is not a `copy`). */
  targets: RouteFileTarget[];
}

const TARGET_FIELDS: Record<keyof RouteFileTarget, string> = {
  name: "string", url: "string", weight: "number", level: "level", category: "string", copy: "boolean",
  token: "string", gzip: "boolean", timeoutMs: "number", retries: "number", spool: "string|false",
};
const BREAKER_FIELDS: Record<keyof BreakerOptions, string> = { failures: "number", openMs: "number", timeoutMs: "number" };

/** Checks that `value` is an object with only `fields`, each of its kind; throws naming the first wrong one. */
function checkObject(value: unknown, fields: Record<string, string>, where: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new TypeError(`${where} must be an object`);
  const o = value as Record<string, unknown>;
  for (const [k, v] of Object.entries(o)) {
    const kind = fields[k];
    if (kind === undefined) throw new TypeError(`${where}.${k} is not a known field (known: ${Object.keys(fields).join(", ")})`);
    const ok = kind === "level" ? LEVEL_NAMES.includes(v as LevelName)
      : kind === "string|false" ? v === false || (typeof v === "string" && v !== "")
      : kind === "number" ? typeof v === "number" && Number.isFinite(v) && v >= 0
      : kind === "boolean" ? typeof v === "boolean"
      : kind === "object" ? typeof v === "object"
      : typeof v === "string";
    if (!ok) {
      const want = kind === "level" ? LEVEL_NAMES.join("|") : kind === "number" ? "a number >= 0" : kind === "string|false" ? "a directory or false" : `a ${kind}`;
      throw new TypeError(`${where}.${k} must be ${want}, got ${JSON.stringify(v)}`);
    }
  }
  return o;
}

/**
 * Reads `routes.json`'s text: JSON, known fields only, each of its kind, unique target names,
 * http(s) URLs, weights > 0, at least one distribution target. Throws a TypeError whose one-line
 * message names the file and the first thing wrong.
 *
 * @param text The file's text.
 * @param file Its path, for messages.
 * @returns The checked configuration.
 * @example
 * ```ts
 * import { parseRouteFile } from "./route_config.ts";
 * const routes = parseRouteFile('{"targets":[{"name":"a1","url":"http://127.0.0.1:9001/ingest"}]}', "routes.json");
 * routes.targets[0].name; // "a1"
 * ```
 */
export function parseRouteFile(text: string, file: string): RouteFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new TypeError(`${file}: not JSON (${(err as Error).message})`);
  }
  const top = checkObject(json, { key: "string", breaker: "object", targets: "object" }, file);
  if (top.breaker !== undefined) {
    const b = checkObject(top.breaker, BREAKER_FIELDS, `${file}: breaker`);
    if (b.failures !== undefined && !((b.failures as number) >= 1)) throw new TypeError(`${file}: breaker.failures must be >= 1, got ${b.failures}`);
  }
  if (!Array.isArray(top.targets) || top.targets.length === 0) throw new TypeError(`${file}: targets must be a non-empty array`);
  const names = new Set<string>();
  for (const [i, t] of top.targets.entries()) {
    const where = `${file}: targets[${i}]`;
    const o = checkObject(t, TARGET_FIELDS, where);
    if (typeof o.name !== "string" || o.name === "" || !/^[\w.-]+$/.test(o.name)) throw new TypeError(`${where}.name must be letters, digits, '_', '.' or '-', got ${JSON.stringify(o.name)}`);
    if (names.has(o.name)) throw new TypeError(`${where}.name ${JSON.stringify(o.name)} is used twice`);
    names.add(o.name);
    if (typeof o.url !== "string" || !/^https?:\/\/[^/]/.test(o.url)) throw new TypeError(`${where}.url must be an http(s) URL, got ${JSON.stringify(o.url)}`);
    if (o.weight !== undefined && !((o.weight as number) > 0)) throw new TypeError(`${where}.weight must be > 0, got ${o.weight}`);
  }
  const routes = top as unknown as RouteFile;
  if (routes.targets.every((t) => t.copy === true)) throw new TypeError(`${file}: targets needs at least one target that is not a copy`);
  return routes;
}

/**
 * The key function for `routes.json`'s `key`: `category`, `level` and `msg` from the record,
 * any other name from its top-level field (absent: routed by weight).
 *
 * @param field The field's name.
 * @returns The key of a record.
 * @example
 * ```ts
 * import { keyByField } from "./route_config.ts";
 * const key = keyByField("producer");
 * ```
 */
export function keyByField(field: string): (record: LogRecord) => string | undefined {
  if (field === "category") return (r) => r.category;
  if (field === "level") return (r) => r.level;
  if (field === "msg") return (r) => r.msg;
  const quoted = JSON.stringify(field) + ":";
  return (r) => recordField(r, field, quoted);
}
