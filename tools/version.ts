/**
 * The version `sluice --version` prints; tests/cli.test.ts checks it matches package.json and
 * deno.json (the compiled binary has neither beside it).
 *
 * @example
 * ```ts
 * import { VERSION } from "./version.ts";
 * console.log(VERSION); // "0.1.0"
 * ```
 */
export const VERSION = "0.1.0";
