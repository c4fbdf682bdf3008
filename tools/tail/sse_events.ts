/**
 * Server-Sent Events read from a byte stream, for `sluice tail --remote`.
 *
 * @module
 */

/** One event: its name (`message` when unnamed), its id when it has one, its data. */
export interface SseEvent {
  event: string;
  id: string | undefined;
  data: string;
}

/**
 * Parses an event stream (UTF-8; lines end in LF, CRLF or CR), yielding each event that has
 * data; comments (heartbeats) and empty events are skipped.
 *
 * @param body The response body.
 * @example
 * ```ts
 * import { sseEvents } from "./sse_events.ts";
 * for await (const e of sseEvents(res.body!)) console.log(e.id, e.data);
 * ```
 */
export async function* sseEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  const reader = body.getReader();
  const utf8 = new TextDecoder();
  let buf = "";
  let event: SseEvent = { event: "message", id: undefined, data: "" };
  let data: string[] = [];
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buf += utf8.decode(value, { stream: true });
      // a CR at the very end may be the first half of a CRLF: wait for the next chunk
      let end: number;
      while ((end = buf.search(/\r\n|\n|\r(?!$)/)) >= 0) {
        const line = buf.slice(0, end);
        buf = buf.slice(end + (buf.startsWith("\r\n", end) ? 2 : 1));
        if (line === "") {
          if (data.length > 0) yield { ...event, data: data.join("\n") };
          event = { event: "message", id: event.id, data: "" };
          data = [];
          continue;
        }
        if (line.startsWith(":")) continue;
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        const v = colon < 0 ? "" : line.slice(colon + (line[colon + 1] === " " ? 2 : 1));
        if (field === "data") data.push(v);
        else if (field === "id") event.id = v;
        else if (field === "event") event.event = v;
      }
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}
