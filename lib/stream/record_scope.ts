/**
 * Which `withContext` scope a record was logged in, for stages that group records by request.
 *
 * @module
 */
import { currentScope, trackScopes } from "../context.ts";

/** A `withContext` scope as stages see it: an opaque object with its enclosing scope. */
export type ScopeRef = { readonly parent: object | undefined };

let scopes: WeakMap<object, ScopeRef> | undefined;

/**
 * The scope `record` was logged in: `undefined` for a record logged outside any scope, made by
 * hand or by a stage, or logged before the first {@linkcode followScopes}.
 *
 * @param record A record.
 * @returns Its scope.
 * @example
 * ```ts
 * import { followScopes, recordScope } from "./record_scope.ts";
 * import { createRecord } from "../record.ts";
 * followScopes();
 * recordScope(createRecord(0, "info", undefined, "made by hand", "}")); // undefined
 * ```
 */
export function recordScope(record: object): ScopeRef | undefined {
  return scopes?.get(record);
}

/**
 * From now on, each record a logger queues remembers the scope it was logged in (a weak map, so
 * a record forgotten by the sinks is forgotten here too).
 *
 * @example
 * ```ts
 * import { followScopes } from "./record_scope.ts";
 * followScopes();
 * ```
 */
export function followScopes(): void {
  if (scopes !== undefined) return;
  const map = scopes = new WeakMap();
  trackScopes((record) => {
    const scope = currentScope();
    if (scope !== undefined) map.set(record, scope);
  });
}
