/**
 * The `format` option shared by the sinks.
 *
 * @module
 */
import type { Formatter } from "../format/formatter.ts";
import { formatNdjson } from "../format/ndjson.ts";
import { textFormatter } from "../format/text.ts";

/**
 * A sink's line format: `"ndjson"`, `"text"`, or your own {@linkcode Formatter}.
 *
 * @example
 * ```ts
 * import { fileSink } from "../../mod.ts";
 * fileSink("./logs/app.log", { format: (r) => `${r.level} ${r.msg}` });
 * ```
 */
export type FormatOption = "ndjson" | "text" | Formatter;

/**
 * Resolves a `format` option to a formatter.
 *
 * @param format The option.
 * @param color Colour for `"text"`.
 * @returns The formatter; throws a `TypeError` for anything else.
 * @example
 * ```ts
 * import { resolveFormat } from "./format_option.ts";
 * resolveFormat("ndjson", false);
 * ```
 */
export function resolveFormat(format: FormatOption, color: boolean): Formatter {
  if (format === "ndjson") return formatNdjson;
  if (format === "text") return textFormatter({ color });
  if (typeof format === "function") return format;
  throw new TypeError(`sluice: format must be "ndjson", "text" or a function, got ${JSON.stringify(format)}`);
}
