/**
 * Picks the runtime adapter for the current runtime. The Bun, Deno and Node adapters are
 * registered by `server_runtimes.ts`, which `mod.ts` and `server.ts` import; the web entry
 * (`mod.web.ts`) does not, so a worker bundle carries none of them.
 *
 * @module
 */
import type { Runtime } from "./runtime.ts";
import { webRuntime } from "./web_runtime.ts";

let detected: Runtime | undefined;
let serverRuntime: (() => Runtime | undefined) | undefined;

/**
 * Registers how server runtimes are recognized (done once, by `server_runtimes.ts`).
 *
 * @param detect Returns the adapter of the runtime it recognizes, or `undefined`.
 * @example
 * ```ts
 * import { registerServerRuntimes } from "./detect.ts";
 * registerServerRuntimes(() => undefined); // nothing but the web adapter
 * ```
 */
export function registerServerRuntimes(detect: () => Runtime | undefined): void {
  serverRuntime = detect;
  detected = undefined;
}

/**
 * The adapter for the runtime this code runs on: Bun, Deno or Node when they are registered
 * and recognized, else the web adapter (console and fetch, no files). Detected once.
 *
 * @returns The runtime adapter.
 * @example
 * ```ts
 * import { detectRuntime } from "./detect.ts";
 * console.log(detectRuntime().name);
 * ```
 */
export function detectRuntime(): Runtime {
  return detected ??= serverRuntime?.() ?? webRuntime();
}
