/**
 * Implicit, request-scoped fields: `withContext(fields, fn)` and `getContext()`, kept across
 * `await`, timers and streams by the runtime's AsyncLocalStorage.
 *
 * @module
 */
import { detectRuntime } from "./runtime/detect.ts";
import type { ContextStorage } from "./runtime/runtime.ts";
import { serializeMembers } from "./serialize.ts";
import { activeSpanMembers, otelRegistered, traceparentMembers } from "./trace_context.ts";

/** One `withContext` scope: its fields (merged with the enclosing scope's) and their JSON. */
interface Scope {
  readonly fields: Readonly<Record<string, unknown>>;
  /** The fields as JSON members, serialized once per scope, not per log call. */
  readonly members: string;
  /** `trace_id`, `span_id`, `trace_flags` from a `traceparent` field, as JSON members, or `""`. */
  readonly trace: string;
  /** The enclosing scope, if any. */
  readonly parent: Scope | undefined;
}

let storage: ContextStorage<Scope> | null | undefined;

/**
 * {@linkcode scopeMembers} once `withContext` has run in this process, else `undefined`: until
 * then a log call does not look for a context at all (one module-variable read), so loggers
 * that never use it pay nothing, and a bundle that never imports `withContext` carries no scope
 * lookup.
 *
 * @example
 * ```ts
 * import { contextMembers } from "./context.ts";
 * const members = contextMembers?.(undefined) ?? "";
 * ```
 */
export let contextMembers: typeof scopeMembers | undefined;

/**
 * The runtime's AsyncLocalStorage, else one a web runtime has (workerd with `nodejs_compat` or
 * `nodejs_als`, as a global or through `process.getBuiltinModule`), else `null`.
 */
function openStorage(): ContextStorage<Scope> | null {
  const make = detectRuntime().contextStorage;
  if (make) return make<Scope>();
  // deno-lint-ignore no-explicit-any -- an untyped runtime global (no types for workerd here)
  const g = globalThis as any;
  let Als = g.AsyncLocalStorage;
  try {
    Als ??= g.process?.getBuiltinModule?.("node:async_hooks")?.AsyncLocalStorage;
  } catch { /* no such module here */ }
  return typeof Als === "function" ? new Als() : null;
}

function store(): ContextStorage<Scope> {
  storage ??= openStorage();
  if (storage === null) {
    throw new TypeError("sluice: withContext needs AsyncLocalStorage, which this runtime lacks (on workerd, enable nodejs_compat); pass a child logger instead: log.child(fields)");
  }
  return storage;
}

/**
 * Runs `fn` with `fields` added to every record logged inside it, by any logger, across
 * `await`, timers and streams (AsyncLocalStorage; on workerd with `nodejs_compat`). Scopes nest:
 * the inner one adds to (and overrides) the outer one's fields. A `traceparent` field (a W3C
 * header) becomes `trace_id`, `span_id` and `trace_flags`. Where the runtime has no
 * AsyncLocalStorage it throws a `TypeError`; pass a child logger (`log.child(fields)`) there.
 *
 * @param fields Fields for every record logged inside `fn`.
 * @param fn The work; its result is returned.
 * @returns What `fn` returns.
 * @example
 * ```ts
 * import { createLogger, withContext } from "../mod.ts";
 * const log = createLogger();
 * await withContext({ jobId: 7 }, async () => {
 *   await new Promise((r) => setTimeout(r, 1));
 *   log.info("working"); // {"time":…,"level":"info","msg":"working","jobId":7}
 * });
 * await log.close();
 * ```
 */
export function withContext<T>(fields: Record<string, unknown>, fn: () => T): T {
  const s = store();
  return s.run(scopeOf(s, fields), fn);
}

/** The scope `fields` make inside the current one (merged with it), serialized once. */
function scopeOf(s: ContextStorage<Scope>, fields: Record<string, unknown>): Scope {
  const parent = s.getStore();
  const { traceparent, ...rest } = fields;
  const merged = parent === undefined ? rest : { ...parent.fields, ...rest };
  const trace = typeof traceparent === "string" ? traceparentMembers(traceparent) : "";
  contextMembers = scopeMembers;
  return { fields: merged, members: serializeMembers(merged), trace: trace || (parent?.trace ?? ""), parent };
}

/**
 * One `withContext` scope made now and entered as often as needed: `run(fn)` runs `fn` inside
 * it, as `withContext(fields, fn)` would, without serializing the fields again (a request's
 * handler, then its closing log line from an event callback). `undefined` where the runtime has
 * no AsyncLocalStorage (then pass a child logger instead).
 *
 * @param fields Fields for every record logged inside the scope (a `traceparent` as in `withContext`).
 * @returns The runner, or `undefined` without AsyncLocalStorage.
 * @example
 * ```ts
 * import { createLogger } from "../mod.ts";
 * import { contextRunner } from "./context.ts";
 * const log = createLogger();
 * const run = contextRunner({ reqId: "r1" });
 * run?.(() => log.info("inside")); // …"msg":"inside","reqId":"r1"
 * await log.close();
 * ```
 */
export function contextRunner(fields: Record<string, unknown>): (<T>(fn: () => T) => T) | undefined {
  const s = storage ??= openStorage();
  if (s === null) return undefined;
  const scope = scopeOf(s, fields);
  return (fn) => s.run(scope, fn);
}

/**
 * The fields of the innermost `withContext` scope around the caller (merged with the enclosing
 * scopes'), or `undefined` outside any scope or where the runtime has no AsyncLocalStorage.
 *
 * @returns The fields, frozen, or `undefined`.
 * @example
 * ```ts
 * import { getContext, withContext } from "../mod.ts";
 * withContext({ reqId: "r1" }, () => getContext()); // { reqId: "r1" }
 * ```
 */
export function getContext(): Readonly<Record<string, unknown>> | undefined {
  if (contextMembers === undefined) return undefined;
  const scope = storage?.getStore();
  return scope === undefined ? undefined : Object.freeze({ ...scope.fields });
}

/**
 * What the current `withContext` scope adds to a record, as JSON members: its fields (redacted
 * when the logger redacts) and trace ids, the active OpenTelemetry span's winning over a
 * `traceparent` field; outside any scope, the active span's ids or `""`.
 *
 * @param redact The logger's redactor, if any.
 * @returns JSON members to splice into a record, or `""`.
 */
function scopeMembers(redact: (<T extends object>(v: T) => T) | undefined): string {
  const span = otelRegistered ? activeSpanMembers() : "";
  const scope = storage?.getStore();
  if (scope === undefined) return span;
  return (redact ? serializeMembers(redact(scope.fields)) : scope.members) + (span || scope.trace);
}

/**
 * Called by each channel with each record it queues, while a stage wants records' scopes (set
 * once by {@linkcode trackScopes}); `undefined` until then, so a log call pays one check.
 */
export let scopeNote: ((record: object) => void) | undefined;

/**
 * Makes every record queued from now on go to `note` while it is still inside its log call
 * (`fingersCrossed` uses it to learn records' `withContext` scopes).
 *
 * @param note Receives each record.
 * @example
 * ```ts
 * import { currentScope, trackScopes } from "./context.ts";
 * const scopes = new WeakMap<object, object>();
 * trackScopes((r) => { const s = currentScope(); if (s) scopes.set(r, s); });
 * ```
 */
export function trackScopes(note: (record: object) => void): void {
  scopeNote = note;
}

/**
 * The current `withContext` scope as an opaque object whose `parent` is the enclosing scope's, or
 * `undefined` outside any scope.
 *
 * @returns The scope.
 * @example
 * ```ts
 * import { currentScope, withContext } from "./context.ts";
 * withContext({ reqId: "r1" }, () => currentScope()?.parent); // undefined: no enclosing scope
 * ```
 */
export function currentScope(): { readonly parent: object | undefined } | undefined {
  return storage?.getStore();
}
