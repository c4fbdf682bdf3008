/**
 * Opening PostgreSQL the way every part of sluice/postgres does: postgres.js with notices
 * silenced, a short connect timeout, and the URL checked first so a typo is a clear error.
 *
 * @module
 */
import postgres from "postgres";
import type { Sql } from "postgres";

/**
 * How sluice connects.
 *
 * @example
 * ```ts
 * import type { ConnectOptions } from "./connect.ts";
 * const o: ConnectOptions = { maxConnections: 4, connectTimeoutS: 5 };
 * ```
 */
export interface ConnectOptions {
  /** Connections in the pool. @default 8 */
  maxConnections?: number;
  /** Seconds to wait for a connection. @default 5 */
  connectTimeoutS?: number;
}

/**
 * Checks that `url` is a `postgres://` or `postgresql://` URL and opens a pool (connections are
 * made when first needed, so this does not wait for the server).
 *
 * @param url Such as `postgres://logs@127.0.0.1/logs`.
 * @param options Pool size and connect timeout.
 * @returns The pool.
 * @throws {TypeError} When the URL is not a PostgreSQL URL.
 * @example
 * ```ts ignore
 * const sql = openPostgres("postgres://logs@127.0.0.1/logs");
 * await sql.end();
 * ```
 */
export function openPostgres(url: string, options: ConnectOptions = {}): Sql {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch { /* said below */ }
  if (parsed === undefined || !/^postgres(ql)?:$/.test(parsed.protocol)) throw new TypeError(`sluice: --postgres must be a URL such as postgres://user@127.0.0.1:5432/db, got ${JSON.stringify(url.replace(/:[^:@/]*@/, ":***@"))}`);
  return postgres(url, {
    max: options.maxConnections ?? 8,
    connect_timeout: options.connectTimeoutS ?? 5,
    onnotice: () => {},
    connection: { application_name: "sluice" },
  });
}

/**
 * A URL with its password left out, for messages and logs.
 *
 * @param url A PostgreSQL URL.
 * @returns The URL without the password.
 * @example
 * ```ts
 * import { safeUrl } from "./connect.ts";
 * safeUrl("postgres://logs:s3cret@db/logs"); // "postgres://logs:***@db/logs"
 * ```
 */
export function safeUrl(url: string): string {
  return url.replace(/^(\w+:\/\/[^:@/]*):[^@/]*@/, "$1:***@");
}
