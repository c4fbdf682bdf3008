/**
 * Picks the runtime adapter for the current runtime.
 *
 * @module
 */
import type { Runtime } from "../lib/runtime.ts";
import { bunRuntime } from "./bun.ts";
import { denoRuntime } from "./deno.ts";
import { nodeRuntime } from "./node.ts";
import { webRuntime } from "./web.ts";

let detected: Runtime | undefined;

/**
 * The adapter for the runtime this code runs on: Bun, Deno, Node, or `web` for everything
 * else. Looked up on first use (never at import), then cached, so every logger shares one set
 * of exit hooks.
 *
 * @returns The runtime adapter.
 * @example
 * ```ts
 * import { detectRuntime } from "./detect.ts";
 * console.log(detectRuntime().name);
 * ```
 */
export function detectRuntime(): Runtime {
  if (detected !== undefined) return detected;
  const g = globalThis as any;
  const proc = g.process;
  if (g.Bun !== undefined && proc !== undefined) detected = bunRuntime(g.Bun, proc);
  else if (g.Deno?.openSync !== undefined && proc !== undefined) detected = denoRuntime(g.Deno, proc);
  else if (typeof proc?.getBuiltinModule === "function" && proc.versions?.node !== undefined) detected = nodeRuntime(proc);
  else detected = webRuntime();
  return detected;
}
