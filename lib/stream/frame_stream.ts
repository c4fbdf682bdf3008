/**
 * Stream stages for the binary batch frame: record batches to frames, and bytes back to the
 * frames' NDJSON lines.
 *
 * @module
 */
import { formatLines } from "../format/formatter.ts";
import { DEFAULT_MAX_FRAME_BYTES, encodeFrame, FrameError, readFrame } from "../format/frame.ts";
import { formatNdjson } from "../format/ndjson.ts";
import type { LogRecord } from "../record.ts";

/**
 * Encodes each non-empty batch of records as one frame (see `lib/format/frame.ts`).
 *
 * @example
 * ```ts
 * import { FrameEncoderStream } from "./frame_stream.ts";
 * const frames = ReadableStream.from([[createRecord(0, "info", undefined, "hi", "}")]])
 *   .pipeThrough(new FrameEncoderStream());
 * ```
 */
export class FrameEncoderStream extends TransformStream<readonly LogRecord[], Uint8Array> {
  constructor() {
    super({
      transform(batch, controller) {
        if (batch.length > 0) controller.enqueue(encodeFrame(formatLines(batch, formatNdjson), batch.length));
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
 * import { FrameDecoderStream } from "./frame_stream.ts";
 * for await (const lines of response.body!.pipeThrough(new FrameDecoderStream())) console.log(lines);
 * ```
 */
export class FrameDecoderStream extends TransformStream<Uint8Array, string> {
  /** @param maxFrameBytes The largest payload taken (default 64 MiB). */
  constructor(maxFrameBytes = DEFAULT_MAX_FRAME_BYTES) {
    let pending = new Uint8Array(0);
    super({
      transform(chunk, controller) {
        let bytes = chunk;
        if (pending.length > 0) {
          bytes = new Uint8Array(pending.length + chunk.length);
          bytes.set(pending);
          bytes.set(chunk, pending.length);
        }
        let offset = 0;
        for (let frame; offset < bytes.length && (frame = readFrame(bytes, offset, maxFrameBytes)) !== undefined; offset = frame.end) {
          controller.enqueue(frame.lines);
        }
        pending = bytes.slice(offset);
      },
      flush() {
        if (pending.length > 0) throw new FrameError(`truncated: the stream ended ${pending.length} bytes into a frame`);
      },
    });
  }
}
