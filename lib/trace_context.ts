/**
 * Trace correlation: the ids of the active OpenTelemetry span, found through the OpenTelemetry
 * API's global registry (no dependency on `@opentelemetry/api`), and W3C `traceparent` headers.
 * Records carry them as `trace_id`, `span_id` and `trace_flags`, OpenTelemetry's names for
 * JSON logs.
 *
 * @module
 */

/** Where `@opentelemetry/api` (1.x) keeps its globals, and the context key of the active span. */
const OTEL_API = Symbol.for("opentelemetry.js.api.1");
const SPAN_KEY = Symbol.for("OpenTelemetry Context Key SPAN");
const INVALID_TRACE = "00000000000000000000000000000000";

interface OtelRegistry {
  context?: { active(): { getValue(key: symbol): unknown } };
}
interface SpanLike {
  spanContext(): { traceId: string; spanId: string; traceFlags: number };
}

/**
 * True once the OpenTelemetry API's registry exists in this realm (see
 * {@linkcode watchOtelRegistry}): until then no span can be active, and a log call does not
 * look for one (one module-variable read instead of a lookup on `globalThis`).
 */
export let otelRegistered = false;
let watching = false;

/**
 * Makes {@linkcode otelRegistered} true as soon as `@opentelemetry/api` makes its global
 * registry: at once when it exists, else when it is first assigned. Until then the registry's
 * key on `globalThis` is an accessor that keeps what is assigned to it and gives it back, so
 * the API reads and writes its registry as it would without it. Called by `createLogger`,
 * never at module load. Where `globalThis` cannot take the accessor (a frozen realm), the flag
 * is set and every call looks, as without this.
 *
 * @example
 * ```ts
 * import { otelRegistered, watchOtelRegistry } from "./trace_context.ts";
 * watchOtelRegistry();
 * otelRegistered; // false until @opentelemetry/api registers a global
 * ```
 */
export function watchOtelRegistry(): void {
  if (watching) return;
  watching = true;
  let registry: unknown;
  try {
    if (OTEL_API in globalThis) throw 0; // made already (or watched by another copy of sluice): look on every call
    Object.defineProperty(globalThis, OTEL_API, {
      configurable: true,
      get: () => registry,
      set(value: unknown) {
        registry = value;
        otelRegistered = true;
      },
    });
  } catch {
    otelRegistered = true;
  }
}

/**
 * The trace members of a record, `,"trace_id":"…","span_id":"…","trace_flags":"01"`, or `""`.
 *
 * @param traceId 32 hex digits.
 * @param spanId 16 hex digits.
 * @param flags The trace flags (bit 0: sampled).
 * @returns JSON members to splice into a record.
 * @example
 * ```ts
 * import { traceMembers } from "./trace_context.ts";
 * traceMembers("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331", 1);
 * // ',"trace_id":"0af7651916cd43dd8448eb211c80319c","span_id":"b7ad6b7169203331","trace_flags":"01"'
 * ```
 */
export function traceMembers(traceId: string, spanId: string, flags: number): string {
  return `,"trace_id":"${traceId}","span_id":"${spanId}","trace_flags":"${(flags & 0xff).toString(16).padStart(2, "0")}"`;
}

/**
 * The active OpenTelemetry span's ids as record members, when the app uses `@opentelemetry/api`
 * with a context manager and a span is active; else `""`. Never throws.
 *
 * @returns JSON members, or `""`.
 * @example
 * ```ts
 * import { activeSpanMembers } from "./trace_context.ts";
 * activeSpanMembers(); // "" outside any span
 * ```
 */
export function activeSpanMembers(): string {
  const registry = (globalThis as Record<symbol, OtelRegistry | undefined>)[OTEL_API];
  if (!registry?.context) return "";
  try {
    const sc = (registry.context.active().getValue(SPAN_KEY) as SpanLike | undefined)?.spanContext();
    if (sc === undefined || !/^(?!0+$)[0-9a-f]{32}$/.test(sc.traceId) || !/^[0-9a-f]{16}$/.test(sc.spanId)) return ""; // no span, or all zeros: no trace
    return traceMembers(sc.traceId, sc.spanId, sc.traceFlags);
  } catch {
    return "";
  }
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/**
 * Parses a W3C `traceparent` header (`00-<trace id>-<span id>-<flags>`) into record fields;
 * `undefined` when it is malformed, version `ff`, or an all-zero id.
 *
 * @param header The header's value.
 * @returns `{ trace_id, span_id, trace_flags }`, or `undefined`.
 * @example
 * ```ts
 * import { parseTraceparent } from "./trace_context.ts";
 * parseTraceparent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
 * // { trace_id: "0af7651916cd43dd8448eb211c80319c", span_id: "b7ad6b7169203331", trace_flags: "01" }
 * ```
 */
export function parseTraceparent(header: string): { trace_id: string; span_id: string; trace_flags: string } | undefined {
  const m = TRACEPARENT.exec(header.trim().toLowerCase());
  if (m === null || m[1] === "ff" || (m[1] === "00" && m[5] !== undefined)) return undefined;
  if (m[2] === INVALID_TRACE || m[3] === "0000000000000000") return undefined;
  return { trace_id: m[2], span_id: m[3], trace_flags: m[4] };
}

/**
 * {@linkcode parseTraceparent} as record members, or `""`.
 *
 * @param header The header's value.
 * @returns JSON members, or `""`.
 * @example
 * ```ts
 * import { traceparentMembers } from "./trace_context.ts";
 * traceparentMembers("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
 * ```
 */
export function traceparentMembers(header: string): string {
  const t = parseTraceparent(header);
  return t === undefined ? "" : traceMembers(t.trace_id, t.span_id, parseInt(t.trace_flags, 16));
}
