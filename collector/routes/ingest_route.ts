/**
 * `POST /ingest`: NDJSON, a JSON array or binary frames, with an optional `Idempotency-Key`.
 *
 * @module
 */
import type { Hono } from "hono";
import { decodeFrames, FRAME_CONTENT_TYPE } from "../../lib/format/frame.ts";
import { type ParsedBody, parseJsonArray, parseNdjson } from "../../lib/format/ndjson_decode.ts";
import { utf8Text } from "../body.ts";
import { type Exchange, ingested } from "../exchange.ts";

const NDJSON = new Set(["application/x-ndjson", "application/ndjson", "application/jsonl", "text/plain"]);

/**
 * Mounts `POST /ingest` on `app`. A request with an Idempotency-Key already written is answered
 * `duplicate: true`; one still being written waits for that request's answer.
 *
 * @example
 * ```ts
 * mountIngest(app, exchange);
 * ```
 */
export function mountIngest(app: Hono, x: Exchange): void {
  const { maxLineBytes, budget, limits } = x.parts;
  app.post("/ingest", (c) => {
    const caller = x.who(c);
    if (caller instanceof Response) return caller;
    const { producer } = caller;
    const type = (c.req.header("content-type") ?? "").split(";")[0].trim().toLowerCase();
    let parse: (text: string) => ParsedBody;
    let decode = utf8Text;
    if (NDJSON.has(type)) parse = (t) => parseNdjson(t, producer, maxLineBytes, caller.trusted, budget, x.unmadeBodies);
    else if (type === "application/json") parse = (t) => parseJsonArray(t, producer, caller.trusted, budget, maxLineBytes);
    else if (type === FRAME_CONTENT_TYPE) {
      parse = (t) => parseNdjson(t, producer, maxLineBytes, caller.trusted, budget);
      decode = (bytes) => decodeFrames(bytes, limits.maxDecompressedBytes);
    } else return x.answer(c, 415, { error: `unsupported Content-Type ${JSON.stringify(type)}; use application/x-ndjson, application/json or ${FRAME_CONTENT_TYPE}` });
    return x.keyed.once(c, caller, () => x.answer(c, 200, { accepted: 0, rejected: 0, errors: [], duplicate: true }), (key) => x.accept(c, caller, parse, ingested, decode, key));
  });
}
