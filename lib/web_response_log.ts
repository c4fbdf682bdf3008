/**
 * The end of a request answered with a web `Response` (Hono, Elysia): the request id answered,
 * and the `request` line written with the body's size once the body has been sent.
 *
 * @module
 */
import type { RequestLog } from "./http_request_log.ts";

/** A read that settled within a few microtasks, or the read still pending. */
type Read = { settled: true; result: ReadableStreamReadResult<Uint8Array> } | { settled: false; pending: Promise<ReadableStreamReadResult<Uint8Array>> };

/**
 * Whether `read` settles within a few microtasks: a body already in memory does, on Bun, Deno
 * and Node; a stream still producing does not, and is not waited for.
 */
async function soon(read: Promise<ReadableStreamReadResult<Uint8Array>>): Promise<Read> {
  let out: Read = { settled: false, pending: read };
  read.then((result) => (out = { settled: true, result }), () => {});
  await null;
  await null;
  await null;
  await null;
  return out;
}

/**
 * Finishes a request answered with a web `Response`: answers the request id and writes the
 * `request` line. With a declared `Content-Length` or no body, at once. A body already in memory
 * (what `c.json()` or an Elysia handler's value makes) is read and answered as bytes, so it keeps
 * a `Content-Length`; a body still streaming is passed through as it comes, counted, and the line
 * is written when it ends, fails or the client goes away. Nothing waits for a stream's next chunk.
 *
 * @param req The request's log.
 * @param res The response.
 * @returns The response to send (the same one, or one with the same status and headers) and a
 *   promise settled when the line is written.
 * @example
 * ```ts
 * import { createLogger } from "../mod.ts";
 * import { httpRequestLog } from "./http_request_log.ts";
 * import { finishWebResponse } from "./web_response_log.ts";
 * const log = createLogger();
 * const req = httpRequestLog(log)("GET", "/", () => undefined);
 * const { response } = await finishWebResponse(req, new Response("ok"));
 * await response.text();
 * await log.close();
 * ```
 */
export async function finishWebResponse(req: RequestLog, res: Response): Promise<{ response: Response; done: Promise<void> }> {
  try {
    res.headers.set(req.header, req.reqId);
  } catch {
    // immutable headers (a fetched response passed on): answer through a copy
    res = new Response(res.body, res);
    res.headers.set(req.header, req.reqId);
  }
  const declared = res.headers.get("content-length");
  if (res.body === null || declared !== null) {
    req.end(res.status, res.body === null ? 0 : Number(declared));
    return { response: res, done: Promise.resolve() };
  }
  const reader = res.body.getReader();
  const first = await soon(reader.read());
  if (first.settled) {
    if (first.result.done) {
      req.end(res.status, 0);
      return { response: new Response(null, res), done: Promise.resolve() };
    }
    const second = await soon(reader.read());
    if (second.settled && second.result.done) {
      req.end(res.status, first.result.value.byteLength);
      return { response: new Response(first.result.value as Uint8Array<ArrayBuffer>, res), done: Promise.resolve() };
    }
    return streamed(req, res, reader, [first.result.value], second.settled ? Promise.resolve(second.result) : second.pending);
  }
  return streamed(req, res, reader, [], first.pending);
}

/** The rest of a streaming body, passed on and counted; the line when it ends. */
function streamed(
  req: RequestLog,
  res: Response,
  reader: ReadableStreamDefaultReader<Uint8Array>,
  read: Uint8Array[],
  next: Promise<ReadableStreamReadResult<Uint8Array>>,
): { response: Response; done: Promise<void> } {
  let bytes = 0;
  let ended!: () => void;
  const done = new Promise<void>((r) => (ended = r));
  const finish = () => {
    req.end(res.status, bytes);
    ended();
  };
  let pending: Promise<ReadableStreamReadResult<Uint8Array>> | undefined = next;
  const body = new ReadableStream<Uint8Array>({
    async pull(ctl) {
      const held = read.shift();
      if (held !== undefined) {
        bytes += held.byteLength;
        ctl.enqueue(held);
        return;
      }
      let r: ReadableStreamReadResult<Uint8Array>;
      try {
        r = await (pending ?? reader.read());
      } catch (err) {
        finish();
        throw err;
      }
      pending = undefined;
      if (r.done) {
        finish();
        ctl.close();
        return;
      }
      bytes += r.value.byteLength;
      ctl.enqueue(r.value);
    },
    // the client went away: the line says how much was sent
    cancel(reason) {
      finish();
      return reader.cancel(reason);
    },
  });
  return { response: new Response(body, res), done };
}
