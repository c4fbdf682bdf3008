/**
 * `sluice/caller`: `caller: true` without a stack capture. A build-time transform writes each
 * log call's file and line into the code; a logger with `caller: true` takes it from there and
 * captures the stack only for calls the transform did not see. Use it as a Bun or esbuild
 * plugin ({@linkcode callerPlugin}), on Node with `node --import sluice/caller/register`, or
 * call {@linkcode callerTransform} from any other build step.
 *
 * @example
 * ```ts
 * import { callerTransform } from "./caller.ts";
 * callerTransform('log.info("ready");', "/app/src/app.ts").includes("app.ts:1"); // true
 * ```
 *
 * @module
 */
export { callerTransform } from "./caller/transform.ts";
export { callerPlugin } from "./caller/plugin.ts";
export type { CallerLoadResult, CallerPluginBuild, CallerPluginOptions } from "./caller/plugin.ts";
