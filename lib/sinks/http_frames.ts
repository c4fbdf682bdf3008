/**
 * Binary frames for httpSink's `body: "frame"` on the web entry.
 *
 * @module
 */
import { encodeFrame, FRAME_CONTENT_TYPE } from "../format/frame.ts";
import { registerFrames } from "./http_send.ts";

/**
 * Lets httpSink send `body: "frame"` on the web entry (`sluice/web`, the `workerd`/`browser`
 * conditions), where the frame encoder (a CRC-32 table and the framing) is left out so a worker's
 * bundle stays small; the server entries (Bun, Deno, Node) need no call. Without it
 * `httpSink(url, { body: "frame" })` there is a TypeError that says so.
 *
 * @example
 * ```ts
 * import { enableFrames, httpSink } from "../../mod.web.ts";
 * enableFrames();
 * const sink = httpSink("https://logs.example.com/ingest", { body: "frame" });
 * ```
 */
export function enableFrames(): void {
  registerFrames({ contentType: FRAME_CONTENT_TYPE, encode: encodeFrame });
}
