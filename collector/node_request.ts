/**
 * The node:http side of the collector's connections (Node, and Deno through its node:http): a
 * request's body as a web stream that leaves the connection alone when the app stops reading,
 * and a lingering close for answers sent before the body was read.
 *
 * @module
 */

/**
 * How long a connection answered early keeps draining what the client still sends before it is
 * closed. Many clients (Bun's fetch among them) read the answer only once their upload is sent,
 * and a collector busy inflating other bodies drains slowly: a short linger resets them.
 */
const LINGER_MS = 10_000;

/**
 * A node:http request's body as a web stream. Cancelling it (the app answered without reading
 * the rest) discards what still comes instead of destroying the socket, so the answer is
 * delivered whole; the socket then closes as its answer's `Connection: close` says.
 *
 * @param req The node:http request.
 * @returns The body.
 * @example
 * ```ts
 * const body = requestBody(req);
 * ```
 */
// deno-lint-ignore no-explicit-any -- an untyped runtime global or driver object (no @types for Bun, Deno and Node here)
export function requestBody(req: any): ReadableStream<Uint8Array> {
  let open = true;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      req.on("data", (chunk: Uint8Array) => {
        if (!open) return;
        controller.enqueue(chunk);
        if ((controller.desiredSize ?? 0) <= 0) req.pause();
      });
      req.once("end", () => open && (open = false, controller.close()));
      req.once("error", (err: unknown) => open && (open = false, controller.error(err)));
      req.once("close", () => open && !req.complete && (open = false, controller.error(new Error("the client closed the connection before its body ended"))));
      req.pause();
    },
    pull() {
      req.resume();
    },
    cancel() {
      open = false;
      req.resume();
    },
  }, { highWaterMark: 1 });
}

/**
 * When an answer closes its connection (`Connection: close`) before the request's body was
 * read whole, the socket is half-closed and drained for up to {@link LINGER_MS} instead of
 * destroyed at once: a socket closed with unread bytes sends a reset, which can reach the client
 * before it has read the answer. The client closes its side once it has the answer; one that
 * does not is closed after {@link LINGER_MS}.
 *
 * @param req The node:http request.
 * @param closes Whether the answer carries `Connection: close`.
 * @example
 * ```ts
 * lingerIfUnread(req, response.headers.get("connection") === "close");
 * ```
 */
// deno-lint-ignore no-explicit-any -- an untyped runtime global or driver object (no @types for Bun, Deno and Node here)
export function lingerIfUnread(req: any, closes: boolean): void {
  const socket = req.socket;
  if (!closes || req.complete || socket === undefined || socket === null) return;
  // what the client still sends is read and dropped (the body stream's queue takes no more)
  req.removeAllListeners("data");
  req.on("data", () => {});
  req.resume();
  socket.destroySoon = () => {
    socket.end();
    const timer = setTimeout(() => socket.destroy(), LINGER_MS);
    (timer as { unref?: () => void }).unref?.();
    socket.once("close", () => clearTimeout(timer));
  };
}
