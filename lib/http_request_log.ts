/**
 * One HTTP request's logging, whatever the framework: the request id (from a header, else
 * made), trace ids from `traceparent`, the child logger, the `withContext` scope the handler runs
 * in, a thrown error with its stack, and the one `request` line at a level by status. The
 * framework entries (`sluice/hono`, `sluice/elysia`, `sluice/express`, `sluice/fastify`) only
 * read their request and response into it.
 *
 * @module
 */
import { contextRunner } from "./context.ts";
import { errorMessage } from "./errors.ts";
import type { Logger } from "./logger.ts";
import { parseTraceparent } from "./trace_context.ts";

/** What a `skip` predicate sees: the request, and the status it was answered with. */
export interface SkipRequest {
  /** The method, upper case. */
  readonly method: string;
  /** The path, without the query. */
  readonly path: string;
  /** The response's status. */
  readonly status: number;
}

/**
 * Options every framework entry's `sluiceLogger(log, options)` takes.
 *
 * @example
 * ```ts
 * import type { HttpLogOptions } from "./http_request_log.ts";
 * const options: HttpLogOptions = { skip: ["/health"], category: "http" };
 * ```
 */
export interface HttpLogOptions {
  /**
   * The header a request id is taken from (and answered in); one is made when it is absent,
   * empty or longer than 200 characters.
   * @default "x-request-id"
   */
  requestIdHeader?: string;
  /** Makes a request id. @default crypto.randomUUID() */
  makeRequestId?: () => string;
  /** The child loggers' category (appended to the logger's). */
  category?: string;
  /**
   * Requests whose `request` line is not written: paths (exact, without the query), or a
   * predicate called when the response is known. The child logger, the request id, the scope
   * and a thrown error's record stay.
   */
  skip?: readonly string[] | ((request: SkipRequest) => boolean);
}

/** One request being logged: made by {@linkcode httpRequestLog}'s `begin`. */
export interface RequestLog {
  /** The request's logger: its records carry `reqId` and the trace ids. */
  readonly log: Logger;
  /** The request id (answered in {@linkcode RequestLog.header}). */
  readonly reqId: string;
  /** The header name the id is answered in, lower case. */
  readonly header: string;
  /** Runs `fn` inside the request's `withContext` scope (or just runs it where there is none). */
  run<T>(fn: () => T): T;
  /**
   * Takes a thrown error (the first), logged by {@linkcode RequestLog.end} before the line (or at
   * once after it): at `error` with its stack (`err`), unless the error says it is a 4xx and the
   * answer was one (Hono's `HTTPException(401)`, http-errors' 404, Fastify's validation errors
   * answer the client's input): then its message is the line's `error`.
   */
  error(err: unknown): void;
  /** Writes the thrown error's record, then the `request` line, once: `info` below 400, `warn` for 4xx, `error` for 5xx. */
  end(status: number, bytes: number | undefined): void;
}

/**
 * The status a `request` line gives a request whose client went away before any answer was
 * sent (nginx's "client closed request"): logged at `warn`, not as the 200 a server's response
 * object holds before a handler sets one.
 *
 * @example
 * ```ts
 * import { CLIENT_CLOSED } from "./http_request_log.ts";
 * res.once("close", () => req.end(res.headersSent ? res.statusCode : CLIENT_CLOSED, undefined));
 * ```
 */
export const CLIENT_CLOSED = 499;

/**
 * The request logging of one app: `begin(method, path, header)` for each request.
 *
 * @param log The logger to make children of.
 * @param options Request id header and maker, category, skip.
 * @returns `begin`, which reads the request's headers through `header(name)` (lower-case name).
 * @example
 * ```ts
 * import { createLogger } from "../mod.ts";
 * import { httpRequestLog } from "./http_request_log.ts";
 * const log = createLogger();
 * const begin = httpRequestLog(log, { skip: ["/health"] });
 * const req = begin("GET", "/items", (name) => (name === "x-request-id" ? "r-1" : undefined));
 * req.run(() => req.log.info("listing"));
 * req.end(200, 2);
 * await log.close();
 * ```
 */
export function httpRequestLog(
  log: Logger,
  options: HttpLogOptions = {},
): (method: string, path: string, header: (name: string) => string | null | undefined) => RequestLog {
  const header = (options.requestIdHeader ?? "x-request-id").toLowerCase();
  const makeId = options.makeRequestId ?? (() => crypto.randomUUID());
  const childOptions = options.category === undefined ? undefined : { category: options.category };
  const skip = skipOf(options.skip);
  return (method, path, get) => {
    const start = performance.now();
    const given = get(header);
    const reqId = typeof given === "string" && given !== "" && given.length <= 200 ? given : makeId();
    const traceparent = get("traceparent") ?? undefined;
    // with AsyncLocalStorage the scope carries reqId and the trace ids (once per record, for every
    // logger the handler calls); without it, the child has them bound
    const runner = contextRunner(traceparent === undefined ? { reqId } : { reqId, traceparent });
    let child: Logger;
    if (runner !== undefined) child = childOptions === undefined ? log : log.child({}, childOptions);
    else {
      const trace = traceparent === undefined ? undefined : parseTraceparent(traceparent);
      child = log.child(trace === undefined ? { reqId } : { reqId, ...trace }, childOptions);
    }
    const run = runner ?? ((fn) => fn());
    let errored = false, thrown: unknown, ended: number | undefined;
    // an error that says it is a 4xx, answered as one, answered the client's input: it is the
    // line's, not a record at error level (a TypeError behind a status set before keeps its stack)
    const answered = (status: number) => status >= 400 && status < 500 && status !== CLIENT_CLOSED && isClientError(thrown);
    const record = () => run(() => child.error(thrown instanceof Error ? thrown : String(thrown), { err: thrown }));
    return {
      log: child,
      reqId,
      header,
      run,
      error(err) {
        if (errored) return;
        errored = true;
        thrown = err;
        if (ended !== undefined) record(); // after the line, which cannot carry it: on its own
      },
      end(status, bytes) {
        if (ended !== undefined) return;
        ended = status;
        const itsError = errored && answered(status);
        if (errored && !itsError) record();
        if (skip?.({ method, path, status })) return;
        const fields = { method, path, status, duration_ms: Math.round((performance.now() - start) * 1000) / 1000, bytes, error: itsError ? errorMessage(thrown) : undefined };
        run(() => {
          if (status >= 500) child.error("request", fields);
          else if (status >= 400) child.warn("request", fields);
          else child.info("request", fields);
        });
      },
    };
  };
}

/** An error that carries a 4xx status (`status` or `statusCode`). */
function isClientError(err: unknown): boolean {
  const e = err as { status?: unknown; statusCode?: unknown } | null;
  const status = typeof e === "object" && e !== null ? e.status ?? e.statusCode : undefined;
  return typeof status === "number" && status >= 400 && status < 500;
}

function skipOf(skip: HttpLogOptions["skip"]): ((request: SkipRequest) => boolean) | undefined {
  if (skip === undefined) return undefined;
  if (typeof skip === "function") return skip;
  if (!Array.isArray(skip) || skip.some((p) => typeof p !== "string")) {
    throw new TypeError(`sluice: skip must be an array of paths or a function, got ${JSON.stringify(skip)}`);
  }
  const paths = new Set(skip);
  return (r) => paths.has(r.path);
}
