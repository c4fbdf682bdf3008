// TEMPORARY until jetstream/message.ts lands: NDJSON lines back into records.
import { toRecord } from "../../lib/format/ndjson_decode.ts";
import type { LogRecord } from "../../lib/record.ts";

export function decodeRecords(data: Uint8Array): LogRecord[] {
  const text = new TextDecoder("utf-8", { fatal: true }).decode(data);
  if (!text.endsWith("\n")) throw new TypeError("the data does not end in a newline");
  return text.slice(0, -1).split("\n").map((line, i) => {
    const r = toRecord(JSON.parse(line), undefined, Date.now(), line, undefined, true);
    if (typeof r === "string") throw new TypeError(`line ${i + 1}: ${r}`);
    return r;
  });
}
