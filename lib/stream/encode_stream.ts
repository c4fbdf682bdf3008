/**
 * Stream stages that turn record batches into text or bytes.
 *
 * @module
 */
import { type Formatter, formatLines } from "../format/formatter.ts";
import { formatNdjson } from "../format/ndjson.ts";
import { type TextFormatOptions, textFormatter } from "../format/text.ts";
import type { LogRecord } from "../record.ts";

/**
 * Encodes each batch of records as UTF-8 lines, one chunk per non-empty batch, with the
 * given formatter.
 *
 * @example Encode with a custom formatter
 * ```ts
 * import { LineEncoderStream } from "./encode_stream.ts";
 * const enc = new LineEncoderStream((r) => `${r.level}: ${r.msg}`);
 * ```
 */
export class LineEncoderStream extends TransformStream<readonly LogRecord[], Uint8Array> {
  /** @param format How one record becomes one line. */
  constructor(format: Formatter) {
    const utf8 = new TextEncoder();
    super({
      transform(batch, controller) {
        const text = formatLines(batch, format);
        if (text !== "") controller.enqueue(utf8.encode(text));
      },
    });
  }
}

/**
 * Encodes record batches as NDJSON (one JSON object a line, UTF-8).
 *
 * @example Write batches of records to any byte sink
 * ```ts
 * import { NdjsonEncoderStream } from "./encode_stream.ts";
 * const bytes = ReadableStream.from([[createRecord(0, "info", undefined, "hi", "}")]])
 *   .pipeThrough(new NdjsonEncoderStream());
 * ```
 */
export class NdjsonEncoderStream extends LineEncoderStream {
  constructor() {
    super(formatNdjson);
  }
}

/**
 * Encodes record batches in the human-readable text format.
 *
 * @example
 * ```ts
 * import { TextFormatEncoderStream } from "./encode_stream.ts";
 * const enc = new TextFormatEncoderStream({ color: true });
 * ```
 */
export class TextFormatEncoderStream extends LineEncoderStream {
  /** @param options Whether to colour the level. */
  constructor(options: TextFormatOptions = {}) {
    super(textFormatter(options));
  }
}
