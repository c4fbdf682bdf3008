/**
 * `node --import sluice/caller/register app.js`: registers {@linkcode load} (caller/node_hooks)
 * with `module.register` (Node 20.6+), so the app's own files get their log calls' locations
 * written in and a logger with `caller: true` captures no stack for them.
 *
 * @example
 * ```ts
 * // node --import sluice/caller/register app.js
 * ```
 *
 * @module
 */
// deno-lint-ignore no-explicit-any -- an untyped runtime global (no @types for Bun, Deno and Node here)
const { register } = (globalThis as any).process?.getBuiltinModule?.("node:module") ?? {};
if (typeof register !== "function") {
  throw new Error("sluice/caller/register needs Node 20.6+ (module.register); on Bun use callerPlugin() with Bun.plugin or Bun.build, on Deno bundle with it");
}
register(new URL(import.meta.url.endsWith(".ts") ? "./node_hooks.ts" : "./node_hooks.js", import.meta.url));
