/**
 * `serve()`: the ingest app on the current runtime's HTTP server: Bun.serve, or node:http with a
 * small fetch bridge (Node, and Deno, whose Deno.serve has no bound on the time a client takes
 * to send its request headers).
 *
 * @module
 */
import { errorMessage } from "../lib/errors.ts";
import { createIngestApp, type IngestApp, type IngestOptions } from "./app.ts";
import { lingerIfUnread, requestBody } from "./node_request.ts";

/**
 * Options of {@linkcode serve}: the ingest app's, and where to listen.
 *
 * @example
 * ```ts
 * import { serve } from "./listen.ts";
 * const server = await serve({ port: 0, hostname: "127.0.0.1", dir: "./logs", tokens: [{ name: "edge", token: "s3cret" }], handleSignals: false });
 * await server.close();
 * ```
 */
export interface ServeOptions extends IngestOptions {
  /** The port to listen on; 0 picks a free port. @default 8080 */
  port?: number;
  /** The interface to bind. @default "127.0.0.1" */
  hostname?: string;
  /**
   * Time a connection has to send a request's headers, from its start or from its previous
   * answer; a connection idle that long between requests is closed too. Bun counts it in whole
   * seconds and checks every few seconds. @default 5000
   */
  headerTimeoutMs?: number;
  /** PEM certificate and key: serve HTTPS. */
  tls?: { cert: string; key: string };
  /**
   * Stop gracefully on SIGTERM and SIGINT: stop accepting, finish requests in flight, flush, exit.
   * @default true
   */
  handleSignals?: boolean;
}

/**
 * A running collector.
 *
 * @example
 * ```ts
 * import { serve } from "./listen.ts";
 * const server = await serve({ port: 0, dir: "./logs", noAuth: true, handleSignals: false });
 * console.log(server.url);
 * await server.close();
 * ```
 */
export interface Server {
  /** The base URL, such as `http://127.0.0.1:8080`. */
  readonly url: string;
  /** The port listened on. */
  readonly port: number;
  /** The ingest app. */
  readonly app: IngestApp;
  /** Stops accepting, waits for requests in flight, flushes and closes the files. */
  close(): Promise<void>;
}

type Fetch = (req: Request) => Response | Promise<Response>;
interface Listener {
  port: number;
  stop(): Promise<void>;
}

/**
 * Starts the collector.
 *
 * @param options Where to listen and write, tokens, limits.
 * @returns The running server.
 * @example
 * ```ts
 * import { serve } from "./listen.ts";
 * const server = await serve({ port: 0, dir: "./logs", tokens: [{ name: "edge", token: "s3cret" }] });
 * console.log(server.url);
 * await server.close();
 * ```
 */
export async function serve(options: ServeOptions): Promise<Server> {
  const app = createIngestApp(options);
  const hostname = options.hostname ?? "127.0.0.1";
  // deno-lint-ignore no-explicit-any -- an untyped runtime global or driver object (no @types for Bun, Deno and Node here)
  const g = globalThis as any;
  const fetch: Fetch = (req) => app.fetch(req);
  let listener: Listener;
  try {
    if (g.Bun) listener = listenBun(g.Bun, fetch, options.port ?? 8080, hostname, options);
    else listener = await listenNode(g.process, fetch, options.port ?? 8080, hostname, options);
  } catch (err) {
    await app.close();
    throw err;
  }
  let closing: Promise<void> | undefined;
  // the tail's event streams end first: a listener waits for the requests it is serving
  const close = () => (closing ??= (app.tail.close(), listener.stop()).then(() => app.close()));
  if (options.handleSignals ?? true) {
    const proc = g.process;
    const onSignal = () => void close().then(() => proc.exit(0));
    proc?.once?.("SIGTERM", onSignal);
    proc?.once?.("SIGINT", onSignal);
  }
  const scheme = options.tls ? "https" : "http";
  return { url: `${scheme}://${hostname}:${listener.port}`, port: listener.port, app, close };
}

/** The header bound in ms, checked. */
function headerTimeout(options: ServeOptions): number {
  const ms = options.headerTimeoutMs ?? 5000;
  if (!(ms > 0)) throw new RangeError(`sluice: headerTimeoutMs must be positive, got ${options.headerTimeoutMs}`);
  return ms;
}

// deno-lint-ignore no-explicit-any -- an untyped runtime global or driver object (no @types for Bun, Deno and Node here)
function listenBun(bun: any, fetch: Fetch, port: number, hostname: string, options: ServeOptions): Listener {
  // idleTimeout bounds an idle keep-alive connection (uWebSockets closes a connection whose
  // request head is not in after its own fixed 10 s, checked every 4 s). While a request with a
  // body is the app's, its own bounds apply (--body-timeout, --min-body-rate) under a ceiling, and
  // the idle bound is set back once the answer is made; an event stream has its heartbeats.
  const ceiling = Math.ceil((options.bodyTimeoutMs ?? 30_000) / 1000) + 60;
  const idle = Math.min(255, Math.ceil(headerTimeout(options) / 1000));
  const server = bun.serve({
    port,
    hostname,
    idleTimeout: idle,
    // deno-lint-ignore no-explicit-any -- an untyped runtime global or driver object (no @types for Bun, Deno and Node here)
    fetch: async (req: Request, srv: any) => {
      const body = req.method !== "GET" && req.method !== "HEAD";
      // a GET's head is in and it sends nothing more: no bound while the app computes its answer
      // (a search over gigabytes takes longer than the idle bound, which cut it with no answer)
      srv.timeout(req, body ? ceiling : 0);
      let res: Response;
      try {
        res = await fetch(req);
      } finally {
        srv.timeout(req, idle);
      }
      // an event stream (/api/tail) is bounded by its heartbeats, not by the idle bound
      if (res.headers.get("content-type")?.startsWith("text/event-stream")) srv.timeout(req, 0);
      return res;
    },
    maxRequestBodySize: (options.maxBodyBytes ?? 8 << 20) + 1024,
    ...(options.tls ? { tls: options.tls } : {}),
  });
  return { port: server.port, stop: () => Promise.resolve(server.stop(false)) };
}

// deno-lint-ignore no-explicit-any -- an untyped runtime global or driver object (no @types for Bun, Deno and Node here)
async function listenNode(proc: any, fetch: Fetch, port: number, hostname: string, options: ServeOptions): Promise<Listener> {
  const http = proc.getBuiltinModule(options.tls ? "node:https" : "node:http");
  const headersTimeout = headerTimeout(options);
  const bounds = {
    headersTimeout,
    // a backstop: the app answers a body that is late or too slow with 408 before this
    requestTimeout: headersTimeout + (options.bodyTimeoutMs ?? 30_000) + 5000,
    keepAliveTimeout: headersTimeout,
    connectionsCheckingInterval: Math.min(1000, headersTimeout),
  };
  // deno-lint-ignore no-explicit-any -- an untyped runtime global or driver object (no @types for Bun, Deno and Node here)
  const server = http.createServer({ ...options.tls, ...bounds }, async (req: any, res: any) => {
    try {
      const url = `http://${req.headers.host ?? hostname}${req.url}`;
      const hasBody = req.method !== "GET" && req.method !== "HEAD";
      // a client that goes away before its answer aborts the request's signal, as on Bun: a
      // search stops there and gives its slot back instead of running to its end
      const gone = new AbortController();
      res.once("close", () => res.writableFinished || gone.abort());
      const request = new Request(url, {
        method: req.method,
        headers: req.headers,
        body: hasBody ? requestBody(req) : undefined,
        duplex: "half",
        signal: gone.signal,
      } as RequestInit);
      const response = await fetch(request);
      res.writeHead(response.status, Object.fromEntries(response.headers));
      lingerIfUnread(req, response.headers.get("connection") === "close");
      if (response.body) await pipeToNode(response.body, res);
      res.end();
    } catch (err) {
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: errorMessage(err) }));
    }
  });
  Object.assign(server, bounds);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, hostname, () => resolve());
  });
  return {
    port: server.address().port,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * Copies a response body to a node:http response as the socket takes it (a stream such as
 * `/api/tail`'s is read only as fast as the client reads), and cancels the body when the
 * client goes away.
 */
// deno-lint-ignore no-explicit-any -- an untyped runtime global or driver object (no @types for Bun, Deno and Node here)
async function pipeToNode(body: ReadableStream<Uint8Array>, res: any): Promise<void> {
  const reader = body.getReader();
  const gone = () => void reader.cancel().catch(() => {});
  res.once("close", gone);
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done || res.destroyed) return;
      if (!res.write(value)) {
        await new Promise<void>((resolve) => {
          const on = () => (res.off("drain", on), res.off("close", on), resolve());
          res.on("drain", on);
          res.on("close", on);
        });
      }
    }
  } finally {
    res.off("close", gone);
  }
}
