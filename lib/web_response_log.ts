/**
 * The end of a request answered with a web `Response` (Hono, Elysia): the request id answered,
 * and the `request` line written with the body's size once the body has been sent.
 *
 * @module
 */
import type { HttpLogOptions, RequestLog } from "./http_request_log.ts";

/**
 * Options of the entries whose handlers answer with a web `Response` (`sluice/hono`,
 * `sluice/elysia`): those of every entry, and `countBytes`.
 *
 * @example
 * ```ts
 * import type { WebLogOptions } from "./web_response_log.ts";
 * const options: WebLogOptions = { skip: ["/health"], countBytes: true };
 * ```
 */
export interface WebLogOptions extends HttpLogOptions {
  /**
   * Measure a body that declares no `Content-Length` (what `c.json()` and an Elysia handler's
   * value make): one in memory is read and answered as bytes, one still streaming is counted
   * as it passes. Costs a few µs per such response (about 10 on Bun); without it, `bytes` is
   * the declared `Content-Length` or absent.
   * @default false
   */
  countBytes?: boolean;
}

type Chunk = ReadableStreamReadResult<Uint8Array>;

/**
 * Whether `read` is fulfilled within a few microtasks: a body already in memory is, on Bun,
 * Deno and Node; a stream still producing (or failing) is not, and is not waited for.
 */
async function fulfilledSoon(read: Promise<Chunk>): Promise<boolean> {
  let settled = false;
  read.then(() => (settled = true), () => {});
  await null;
  await null;
  await null;
  await null;
  return settled;
}

/**
 * Finishes a request answered with a web `Response`: answers the request id and writes the
 * `request` line. With a declared `Content-Length` or no body, or without `count`, at once
 * (`bytes` is the declared length, or absent). With `count`, a body already in memory
 * (what `c.json()` or an Elysia handler's value makes) is read and answered as bytes, so it keeps
 * a `Content-Length`; a body still streaming is passed through as it comes, counted, and the line
 * is written when it ends, fails or the client goes away. Nothing waits for a stream's next chunk.
 *
 * @param req The request's log.
 * @param res The response.
 * @param count Measure a body that declares no length.
 * @returns The response to send (the same one, or one with the same status and headers) and a
 *   promise settled when the line is written.
 * @example
 * ```ts
 * import { createLogger } from "../mod.ts";
 * import { httpRequestLog } from "./http_request_log.ts";
 * import { finishWebResponse } from "./web_response_log.ts";
 * const log = createLogger();
 * const req = httpRequestLog(log)("GET", "/", () => undefined);
 * const { response } = await finishWebResponse(req, new Response("ok"), true);
 * await response.text();
 * await log.close();
 * ```
 */
export async function finishWebResponse(req: RequestLog, res: Response, count: boolean): Promise<{ response: Response; done: Promise<void> }> {
  try {
    res.headers.set(req.header, req.reqId);
  } catch {
    // immutable headers (a fetched response passed on): answer through a copy
    res = new Response(res.body, res);
    res.headers.set(req.header, req.reqId);
  }
  const declared = res.headers.get("content-length");
  if (res.body === null || declared !== null || !count) {
    req.end(res.status, res.body === null ? 0 : declared === null ? undefined : Number(declared));
    return { response: res, done: Promise.resolve() };
  }
  // a body in memory gives its bytes, then its end, each within a few microtasks (one read at a
  // time: workerd's streams refuse a second pending read)
  const reader = res.body.getReader();
  const reads: Promise<Chunk>[] = [];
  const read = () => {
    const r = reader.read();
    r.catch(() => {}); // a failure surfaces when the body is read on
    reads.push(r);
    return r;
  };
  if (await fulfilledSoon(read())) {
    const first = await reads[0];
    if (first.done) {
      req.end(res.status, 0);
      return { response: new Response(null, res), done: Promise.resolve() };
    }
    if (await fulfilledSoon(read()) && (await reads[1]).done) {
      req.end(res.status, first.value.byteLength);
      return { response: new Response(first.value as Uint8Array<ArrayBuffer>, res), done: Promise.resolve() };
    }
  }
  return streamed(req, res, reader, reads);
}

/** A streaming body passed on as it comes (`reads` first, in order), counted; the line when it ends. */
function streamed(req: RequestLog, res: Response, reader: ReadableStreamDefaultReader<Uint8Array>, reads: Promise<Chunk>[]): { response: Response; done: Promise<void> } {
  let bytes = 0;
  let ended!: () => void;
  const done = new Promise<void>((r) => (ended = r));
  const finish = () => {
    req.end(res.status, bytes);
    ended();
  };
  const body = new ReadableStream<Uint8Array>({
    async pull(ctl) {
      let r: Chunk;
      try {
        r = await (reads.shift() ?? reader.read());
      } catch (err) {
        finish();
        throw err;
      }
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
