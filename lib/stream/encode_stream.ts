/**
 * Stream stages that turn record batches into text or bytes.
 *
 * @module
 */
import { type Formatter, formatLines } from "../format/formatter.ts";
import { formatNdjson } from "../format/ndjson.ts";
import { type TextFormatOptions, textFormatter } from "../format/text.ts";
import type { LogRecord } from "../record.ts";

const utf8 = new TextEncoder();

/**
 * One batch of records as UTF-8 lines, each ended by `"\n"`: the synchronous form of
 * {@linkcode LineEncoderStream}, and what `streamSink` writes.
 *
 * @param records The batch.
 * @param format How one record becomes one line.
 * @returns The bytes (empty for an empty batch).
 * @example
 * ```ts
 * import { encodeLines } from "./encode_stream.ts";
 * import { formatNdjson } from "../format/ndjson.ts";
 * import { createRecord } from "../record.ts";
 * new TextDecoder().decode(encodeLines([createRecord(0, "info", undefined, "hi", "}")], formatNdjson));
 * // '{"time":"1970-01-01T00:00:00.000Z","level":"info","msg":"hi"}\n'
 * ```
 */
export function encodeLines(records: readonly LogRecord[], format: Formatter): Uint8Array {
  return utf8.encode(formatLines(records, format));
}

/**
 * Encodes each batch of records as UTF-8 lines, one chunk per non-empty batch, with the
 * given formatter ({@linkcode encodeLines} on each batch).
 *
 * @example Encode with a custom formatter
 * ```ts
 * import { LineEncoderStream } from "./encode_stream.ts";
 * const enc = new LineEncoderStream((r) => `${r.level}: ${r.msg}`);
 * ```
 */
export class LineEncoderStream extends TransformStream<readonly LogRecord[], Uint8Array> {
  /**
   * A stream that encodes each batch's records with `format`, one line each.
   *
   * @param format How one record becomes one line.
   */
  constructor(format: Formatter) {
    super({
      transform(batch, controller) {
        if (batch.length > 0) controller.enqueue(encodeLines(batch, format));
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
 * import { createRecord } from "../record.ts";
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
  /**
   * A stream that encodes each batch's records in the text format.
   *
   * @param options Whether to colour the level.
   */
  constructor(options: TextFormatOptions = {}) {
    super(textFormatter(options));
  }
}
