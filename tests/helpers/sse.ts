// Reading a Server-Sent Events stream in tests: events parsed as they arrive, with bounded waits.

/** One event: its name (`message` when unnamed), id, data, or a comment. */
export interface SseEvent {
  event: string;
  id: string | undefined;
  data: string;
  comment?: string;
}

/** An open event stream: `next()` waits (at most `ms`) for the next event or comment. */
export class SseReader {
  readonly #reader: ReadableStreamDefaultReader<string>;
  #buf = "";
  readonly #events: SseEvent[] = [];
  /** A read still pending when a wait timed out: the next wait takes its result (or a chunk would be lost). */
  #pending: Promise<ReadableStreamReadResult<string>> | undefined;

  constructor(body: ReadableStream<Uint8Array>) {
    this.#reader = body.pipeThrough(new TextDecoderStream()).getReader();
  }

  /** The next event or comment block; throws after `ms` or when the stream ends. */
  async next(ms = 5000): Promise<SseEvent> {
    const deadline = Date.now() + ms;
    while (this.#events.length === 0) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no event in ${ms} ms`);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const read = (this.#pending ??= this.#reader.read());
      const r = await Promise.race([
        read,
        new Promise<"timeout">((res) => (timer = setTimeout(() => res("timeout"), left))),
      ]);
      clearTimeout(timer);
      if (r === "timeout") throw new Error(`no event in ${ms} ms`);
      this.#pending = undefined;
      if (r.done) throw new Error("the stream ended");
      this.#buf += r.value;
      let end;
      while ((end = this.#buf.indexOf("\n\n")) >= 0) {
        const block = this.#buf.slice(0, end);
        this.#buf = this.#buf.slice(end + 2);
        this.#events.push(parseBlock(block));
      }
    }
    return this.#events.shift()!;
  }

  /** The next `n` data events (comments skipped). */
  async records(n: number, ms = 5000): Promise<SseEvent[]> {
    const out: SseEvent[] = [];
    while (out.length < n) {
      const e = await this.next(ms);
      if (e.comment === undefined) out.push(e);
    }
    return out;
  }

  cancel(): Promise<void> {
    return this.#reader.cancel();
  }
}

function parseBlock(block: string): SseEvent {
  const e: SseEvent = { event: "message", id: undefined, data: "" };
  const data: string[] = [];
  for (const line of block.split("\n")) {
    if (line.startsWith(":")) {
      e.comment = line.slice(1).trim();
      continue;
    }
    const colon = line.indexOf(":");
    const field = line.slice(0, colon);
    const value = line.slice(colon + 2);
    if (field === "data") data.push(value);
    else if (field === "id") e.id = value;
    else if (field === "event") e.event = value;
  }
  e.data = data.join("\n");
  return e;
}
