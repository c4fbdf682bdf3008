/**
 * Registers the Bun, Deno and Node adapters with runtime detection, `httpSink`'s spool and
 * heartbeats, which belong to long-lived processes with files, and the levels parser (so
 * `levels`, `SLUICE_LEVEL` and `setLevels` take text; a worker's bundle goes without it), the
 * serializer that knows the shape on Node (lib/shape_serializer.ts), the stack capture of
 * `caller: true`, the loggers' exit hooks, httpSink's frame encoder and its gzip on Bun: one call of
 * {@linkcode registerServerAdapters}, made by `mod.ts`, `server.ts` and the command when they load.
 * The call (not an import for its effect) is what an app's bundler keeps: the built package's
 * chunks are declared free of side effects, so a worker's bundle drops what it does not use.
 *
 * @module
 */
import { bunRuntime } from "./bun.ts";
import { denoRuntime } from "./deno.ts";
import { registerServerRuntimes } from "../lib/runtime/detect.ts";
import { nodeRuntime } from "./node.ts";
import { registerHttpServerParts } from "../lib/sinks/http_sink.ts";
import { httpServerParts } from "../lib/sinks/http_server_parts.ts";
import { consoleSink, registerConsoleTerminal } from "../lib/sinks/console_sink.ts";
import { registerDefaultSink } from "../lib/sinks/console_lines.ts";
import { consoleTerminal } from "../lib/sinks/console_terminal.ts";
import { registerExitHooks, registerLevelParser } from "../lib/logger_core.ts";
import { parseLevels } from "../lib/level_spec.ts";
import { registerFieldsTail } from "../lib/serialize.ts";
import { shapeTail } from "../lib/shape_serializer.ts";
import { enableCallerCapture } from "../lib/caller_capture.ts";
import { hookExit } from "../lib/exit_hooks.ts";
import { enableFrames } from "../lib/sinks/http_frames.ts";
import { registerGzip } from "../lib/sinks/http_send.ts";
import { enableStreamStages } from "../lib/stream/stage_pipe.ts";

let registered = false;

/**
 * Registers the server runtimes' adapters and the parts of sluice that only servers carry (see
 * the module's summary). Later calls do nothing.
 *
 * @example
 * ```ts
 * import { registerServerAdapters } from "./server_runtimes.ts";
 * import { detectRuntime } from "../lib/runtime/detect.ts";
 * registerServerAdapters();
 * detectRuntime().name; // "bun" under Bun
 * ```
 */
export function registerServerAdapters(): void {
  if (registered) return;
  registered = true;
  registerHttpServerParts(httpServerParts);
  registerConsoleTerminal(consoleTerminal);
  registerDefaultSink((runtime) => consoleSink({ runtime }));
  registerLevelParser(parseLevels);
  // on Node 20 a serializer made for the shape takes 0.88x JSON.stringify's CPU; on Bun and Deno
  // JSON.stringify is faster than any made by hand (bench/README.md, 2026-12-06)
  // deno-lint-ignore no-explicit-any -- an untyped runtime global (no @types for Bun, Deno and Node here)
  if ((globalThis as any).process?.versions?.node !== undefined && !("Bun" in globalThis) && !("Deno" in globalThis)) registerFieldsTail(shapeTail);
  enableCallerCapture();
  registerExitHooks(hookExit);
  enableFrames();
  enableStreamStages();
  // on Bun httpSink gzips with node:zlib at once, loaded at the first gzipped batch: there a
  // CompressionStream's steps wait their turns behind a busy event loop, and a producer at full
  // speed fell behind (Node runs its CompressionStream on the thread pool, where gzipSync would
  // block the loop instead). Text is encoded first: Bun's gzipSync of a string took three times as long.
  // deno-lint-ignore no-explicit-any -- an untyped runtime global or driver object (no @types for Bun, Deno and Node here)
  const g = globalThis as any;
  // deno-lint-ignore no-explicit-any -- node:zlib, loaded without a top-level import
  let zlib: any;
  const utf8 = new TextEncoder();
  if (g.Bun !== undefined && typeof g.process?.getBuiltinModule === "function") {
    registerGzip((raw) => (zlib ??= g.process.getBuiltinModule("node:zlib")).gzipSync(typeof raw === "string" ? utf8.encode(raw) : raw));
  }

  registerServerRuntimes(() => {
    // deno-lint-ignore no-explicit-any -- an untyped runtime global or driver object (no @types for Bun, Deno and Node here)
    const g = globalThis as any;
    const proc = g.process;
    if (g.Bun !== undefined && proc !== undefined) return bunRuntime(proc);
    if (g.Deno?.openSync !== undefined && proc !== undefined) return denoRuntime(g.Deno, proc);
    if (typeof proc?.getBuiltinModule === "function" && proc.versions?.node !== undefined) return nodeRuntime(proc);
    return undefined;
  });
}
