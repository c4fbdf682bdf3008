/**
 * Stream stages for the binary batch frame: record batches to frames, and bytes back to the
 * frames' NDJSON lines.
 *
 * @module
 */
import { formatLines } from "../format/formatter.ts";
import { DEFAULT_MAX_FRAME_BYTES, encodeFrame, FRAME_HEADER_BYTES, FrameError, frameSize, readFrame } from "../format/frame.ts";
import { formatNdjson } from "../format/ndjson.ts";
import type { LogRecord } from "../record.ts";

/**
 * One batch of records as one frame: their NDJSON lines in the envelope.
 *
 * @param records The batch.
 * @returns The frame's bytes.
 * @example
 * ```ts
 * import { recordsFrame } from "./frame_stream.ts";
 * import { createRecord } from "../record.ts";
 * const { port1 } = new MessageChannel();
 * port1.postMessage(recordsFrame([createRecord(0, "info", undefined, "hi", "}")]));
 * port1.close();
 * ```
 */
export function recordsFrame(records: readonly LogRecord[]): Uint8Array {
  return encodeFrame(formatLines(records, formatNdjson), records.length);
}

/**
 * Encodes each non-empty batch of records as one frame (see `lib/format/frame.ts`).
 *
 * @example
 * ```ts
 * import { FrameEncoderStream } from "./frame_stream.ts";
 * import { createRecord } from "../record.ts";
 * const frames = ReadableStream.from([[createRecord(0, "info", undefined, "hi", "}")]])
 *   .pipeThrough(new FrameEncoderStream());
 * ```
 */
export class FrameEncoderStream extends TransformStream<readonly LogRecord[], Uint8Array> {
  constructor() {
    super({
      transform(batch, controller) {
        if (batch.length > 0) controller.enqueue(recordsFrame(batch));
      },
    });
  }
}

/**
 * Reads frames from a byte stream cut anywhere, and emits each frame's NDJSON lines once the
 * whole frame is there and checked. A corrupt frame, one over `maxFrameBytes`, or bytes left
 * over when the stream ends error the stream with a {@linkcode FrameError}.
 *
 * @example
 * ```ts
 * import { FrameDecoderStream, recordsFrame } from "./frame_stream.ts";
 * import { createRecord } from "../record.ts";
 * const response = new Response(recordsFrame([createRecord(0, "info", undefined, "hi", "}")]) as Uint8Array<ArrayBuffer>); // a body of frames
 * for await (const lines of response.body!.pipeThrough(new FrameDecoderStream())) console.log(lines);
 * ```
 */
export class FrameDecoderStream extends TransformStream<Uint8Array, string> {
  /**
   * A stream that reads frames, refusing any larger than `maxFrameBytes`.
   *
   * @param maxFrameBytes The largest payload taken (default 64 MiB).
   */
  constructor(maxFrameBytes = DEFAULT_MAX_FRAME_BYTES) {
    // chunks are kept as they come and joined once a whole frame is there: each byte is copied
    // a bounded number of times however finely the frame was cut
    let chunks: Uint8Array[] = [];
    let buffered = 0;
    const join = (n: number) => {
      if (chunks.length === 1) return chunks[0];
      const out = new Uint8Array(n);
      let off = 0;
      for (const c of chunks) {
        out.set(c.subarray(0, n - off), off);
        off += c.length;
        if (off >= n) break;
      }
      return out;
    };
    super({
      transform(chunk, controller) {
        chunks.push(chunk);
        buffered += chunk.length;
        for (;;) {
          const head = join(Math.min(buffered, FRAME_HEADER_BYTES));
          const size = frameSize(head, 0, maxFrameBytes);
          if (size === undefined || buffered < size) return;
          const bytes = join(buffered);
          let offset = 0;
          for (let frame; (frame = readFrame(bytes, offset, maxFrameBytes)) !== undefined; offset = frame.end) {
            controller.enqueue(frame.lines);
          }
          chunks = offset < bytes.length ? [bytes.subarray(offset)] : [];
          buffered = bytes.length - offset;
          if (buffered === 0) return;
        }
      },
      flush() {
        if (buffered > 0) throw new FrameError(`truncated: the stream ended ${buffered} bytes into a frame`);
      },
    });
  }
}
