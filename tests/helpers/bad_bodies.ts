// Request bodies a confused or hostile client sends: NDJSON, JSON arrays, OTLP JSON with any type
// anywhere, binary frames and raw bytes, each maybe gzipped and maybe damaged (bytes flipped, cut
// or repeated). For fuzzing the collector.
import fc from "fast-check";
import { gzipSync } from "node:zlib";
import { encodeFrame, FRAME_CONTENT_TYPE } from "../../lib/format/frame.ts";

const enc = new TextEncoder();
const key = fc.constantFrom("time", "level", "msg", "category", "producer", "n", "err", "__proto__", "constructor", "");
const awkward = fc.oneof(
  fc.constantFrom(1e300, -1e300, 8.64e15 + 1, -8.64e15 - 1, 0, -0, 1.5, Number.MAX_SAFE_INTEGER, 2 ** 53 + 2, "1e300", "+275760-09-13T00:00:00.001Z", "2026-13-45", "", "info", "warn", "fatal", "INFO", "[]"),
  fc.jsonValue({ maxDepth: 3 }),
);
const record = fc.dictionary(key, awkward, { maxKeys: 6 }).map((r) => ({ msg: "m", ...r }));
const deep = fc.integer({ min: 1, max: 3000 }).map((n) => "[".repeat(n) + "]".repeat(n));
const line = fc.oneof(record.map((r) => JSON.stringify(r)), fc.json({ maxDepth: 3 }), fc.string({ maxLength: 40 }), deep.map((d) => `{"msg":"x","a":${d}}`));
const ndjson = fc.array(line, { maxLength: 12 }).map((ls) => ls.join("\n"));
const jsonArray = fc.array(fc.oneof(record, fc.jsonValue({ maxDepth: 3 })), { maxLength: 12 }).map((a) => JSON.stringify(a));

/** OTLP with any type anywhere: the shapes a confused or hostile exporter sends. */
const anyValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: "small" },
    fc.record({ stringValue: fc.oneof(fc.string(), fc.integer()) }, { requiredKeys: [] }),
    fc.record({ intValue: fc.oneof(fc.string(), fc.integer(), fc.constant("99999999999999999999999")) }),
    fc.record({ doubleValue: fc.oneof(fc.double(), fc.string()) }),
    fc.record({ arrayValue: fc.oneof(fc.record({ values: fc.oneof(fc.array(tie("v"), { maxLength: 3 }), fc.string(), fc.integer()) }), fc.string()) }),
    fc.record({ kvlistValue: fc.record({ values: fc.oneof(fc.array(fc.record({ key: fc.oneof(fc.string(), fc.integer()), value: tie("v") }), { maxLength: 3 }), fc.constant(7)) }) }),
    fc.jsonValue({ maxDepth: 2 }),
  ),
})).v;
const attrs = fc.oneof(fc.array(fc.record({ key: fc.oneof(fc.string(), fc.integer(), fc.constant("__proto__")), value: anyValue }, { requiredKeys: [] }), { maxLength: 3 }), fc.jsonValue({ maxDepth: 1 }));
const logRecord = fc.oneof(
  fc.record({
    timeUnixNano: fc.oneof(fc.string(), fc.integer(), fc.constant("1e300"), fc.constant("99999999999999999999999999"), fc.double()),
    observedTimeUnixNano: fc.oneof(fc.string(), fc.constant(1e300)),
    severityNumber: fc.oneof(fc.integer({ min: -5, max: 30 }), fc.string(), fc.double()),
    severityText: fc.jsonValue({ maxDepth: 1 }),
    body: anyValue,
    attributes: attrs,
    traceId: fc.jsonValue({ maxDepth: 1 }),
    spanId: fc.jsonValue({ maxDepth: 1 }),
  }, { requiredKeys: [] }),
  fc.jsonValue({ maxDepth: 1 }),
);
const otlp = fc.record({
  resourceLogs: fc.oneof(
    fc.array(fc.record({
      resource: fc.oneof(fc.record({ attributes: attrs }), fc.jsonValue({ maxDepth: 1 })),
      scopeLogs: fc.oneof(fc.array(fc.record({
        scope: fc.oneof(fc.record({ name: fc.jsonValue({ maxDepth: 2 }) }), fc.jsonValue({ maxDepth: 1 })),
        logRecords: fc.oneof(fc.array(logRecord, { maxLength: 4 }), fc.jsonValue({ maxDepth: 1 })),
      }, { requiredKeys: [] }), { maxLength: 3 }), fc.jsonValue({ maxDepth: 1 })),
    }, { requiredKeys: [] }), { maxLength: 3 }),
    fc.jsonValue({ maxDepth: 2 }),
  ),
}, { requiredKeys: [] }).map((o) => JSON.stringify(o));

/** A text with bytes flipped, cut or repeated. */
const mutate = (bytes: Uint8Array) =>
  fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom("flip", "cut", "dup")), { maxLength: 4 }).map((edits) => {
    let b = bytes;
    for (const [at, byte, how] of edits) {
      if (b.length === 0) break;
      const i = at % b.length;
      if (how === "flip") (b = b.slice())[i] = byte;
      else if (how === "cut") b = b.subarray(0, i);
      else b = new Uint8Array([...b.subarray(0, i), ...b.subarray(i, Math.min(b.length, i + 64)), ...b.subarray(i)]);
    }
    return b;
  });

/** One request: where, its Content-Type, whether gzipped, its bytes. */
export type Case = { path: string; type: string; gzip: boolean; body: Uint8Array };
const caseOf = (path: string, type: string, text: fc.Arbitrary<string>) =>
  fc.tuple(text, fc.boolean(), fc.boolean()).chain(([t, gzip, mutated]) => {
    const bytes = gzip ? new Uint8Array(gzipSync(t)) : enc.encode(t);
    return (mutated ? mutate(bytes) : fc.constant(bytes)).map((body): Case => ({ path, type, gzip, body }));
  });
const frames = fc.tuple(ndjson, fc.boolean()).chain(([t, mutated]) => {
  const bytes = encodeFrame(t.endsWith("\n") || t === "" ? t : t + "\n", t.split("\n").length);
  return (mutated ? mutate(bytes) : fc.constant(bytes)).map((body): Case => ({ path: "/ingest", type: FRAME_CONTENT_TYPE, gzip: false, body }));
});
const random = fc.tuple(fc.uint8Array({ maxLength: 200 }), fc.constantFrom("application/x-ndjson", "application/json", FRAME_CONTENT_TYPE), fc.boolean())
  .map(([body, type, gzip]): Case => ({ path: "/ingest", type, gzip, body }));
/** Any of the bodies above. */
export const anyCase: fc.Arbitrary<Case> = fc.oneof(
  caseOf("/ingest", "application/x-ndjson", ndjson),
  caseOf("/ingest", "application/json", jsonArray),
  caseOf("/v1/logs", "application/json", otlp),
  frames,
  random,
);
