/**
 * `serve()`: the ingest app on the current runtime's HTTP server (Bun.serve, Deno.serve, or
 * node:http with a small fetch bridge).
 *
 * @module
 */
import { errorMessage } from "../lib/errors.ts";
import { createIngestApp, type IngestApp, type IngestOptions } from "./app.ts";

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
    else if (g.Deno?.serve) listener = await listenDeno(g.Deno, fetch, options.port ?? 8080, hostname, options);
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

// deno-lint-ignore no-explicit-any -- an untyped runtime global or driver object (no @types for Bun, Deno and Node here)
function listenBun(bun: any, fetch: Fetch, port: number, hostname: string, options: ServeOptions): Listener {
  const server = bun.serve({
    port,
    hostname,
    fetch,
    maxRequestBodySize: (options.maxBodyBytes ?? 8 << 20) + 1024,
    ...(options.tls ? { tls: options.tls } : {}),
  });
  return { port: server.port, stop: () => Promise.resolve(server.stop(false)) };
}

// deno-lint-ignore no-explicit-any -- an untyped runtime global or driver object (no @types for Bun, Deno and Node here)
async function listenDeno(deno: any, fetch: Fetch, port: number, hostname: string, options: ServeOptions): Promise<Listener> {
  let resolvePort!: (p: number) => void;
  const listening = new Promise<number>((r) => (resolvePort = r));
  const server = deno.serve(
    { port, hostname, onListen: (addr: { port: number }) => resolvePort(addr.port), ...(options.tls ?? {}) },
    fetch,
  );
  return { port: await listening, stop: () => server.shutdown() };
}

// deno-lint-ignore no-explicit-any -- an untyped runtime global or driver object (no @types for Bun, Deno and Node here)
async function listenNode(proc: any, fetch: Fetch, port: number, hostname: string, options: ServeOptions): Promise<Listener> {
  const http = proc.getBuiltinModule(options.tls ? "node:https" : "node:http");
  const { Readable } = proc.getBuiltinModule("node:stream");
  // deno-lint-ignore no-explicit-any -- an untyped runtime global or driver object (no @types for Bun, Deno and Node here)
  const server = http.createServer(options.tls ?? {}, async (req: any, res: any) => {
    try {
      const url = `http://${req.headers.host ?? hostname}${req.url}`;
      const hasBody = req.method !== "GET" && req.method !== "HEAD";
      const request = new Request(url, {
        method: req.method,
        headers: req.headers,
        body: hasBody ? Readable.toWeb(req) : undefined,
        duplex: "half",
      } as RequestInit);
      const response = await fetch(request);
      res.writeHead(response.status, Object.fromEntries(response.headers));
      if (response.body) await pipeToNode(response.body, res);
      res.end();
    } catch (err) {
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: errorMessage(err) }));
    }
  });
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
