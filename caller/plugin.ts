/**
 * `callerPlugin`: the caller transform as a bundler plugin, in the `setup(build)` / `onLoad`
 * shape that Bun (`Bun.build`, `Bun.plugin` in a preload) and esbuild share.
 *
 * @module
 */
import { readText } from "./read.ts";
import { callerTransform } from "./transform.ts";

/**
 * Options of {@linkcode callerPlugin}.
 *
 * @example
 * ```ts
 * import { callerPlugin } from "../caller.ts";
 * callerPlugin({ filter: /\/src\/.*\.ts$/, exclude: /\.test\.ts$/ });
 * ```
 */
export interface CallerPluginOptions {
  /** The files to transform, by path. Default: `.js`, `.mjs`, `.cjs`, `.jsx`, `.ts`, `.mts`, `.cts`, `.tsx`. */
  filter?: RegExp;
  /** Paths left as they are even when `filter` matches. Default: anything under `node_modules`. */
  exclude?: RegExp;
}

/**
 * What {@linkcode callerPlugin}'s `onLoad` answers: the transformed source and its loader.
 *
 * @example
 * ```ts
 * import type { CallerLoadResult } from "../caller.ts";
 * const r: CallerLoadResult = { contents: "log.info('x')", loader: "js" };
 * ```
 */
export interface CallerLoadResult {
  /** The transformed source. */
  contents: string;
  /** How the bundler reads it: the file's own language. */
  loader: "js" | "jsx" | "ts" | "tsx";
}

/**
 * The part of a Bun or esbuild plugin build that {@linkcode callerPlugin} uses.
 *
 * @example
 * ```ts
 * import { callerPlugin, type CallerPluginBuild } from "../caller.ts";
 * const seen: RegExp[] = [];
 * const build: CallerPluginBuild = { onLoad: (o) => void seen.push(o.filter) };
 * callerPlugin().setup(build); // seen: [the default filter]
 * ```
 */
export interface CallerPluginBuild {
  /** Registers `load` for the paths that match `filter`. */
  onLoad(options: { filter: RegExp }, load: (args: { path: string }) => Promise<CallerLoadResult | undefined>): unknown;
}

/**
 * What is not the app's own code: paths under `node_modules` (the plugin's default `exclude`,
 * and what the Node hook leaves alone).
 *
 * @example
 * ```ts
 * import { DEPENDENCIES } from "./plugin.ts";
 * DEPENDENCIES.test("/app/node_modules/pino/lib/tools.js"); // true
 * ```
 */
export const DEPENDENCIES = /[\\/]node_modules[\\/]/;

const LOADERS: Record<string, CallerLoadResult["loader"]> = { ts: "ts", mts: "ts", cts: "ts", tsx: "tsx", jsx: "jsx" };

/**
 * A plugin that writes each log call's location into the user's files as they are loaded, so
 * a logger with `caller: true` needs no stack capture (see {@linkcode callerTransform}).
 * Files under `node_modules` and files outside `filter` load as they are (returning
 * undefined hands them to the next plugin or the default loader).
 *
 * @param options Which files to transform.
 * @returns A plugin for `Bun.build({ plugins })`, `Bun.plugin()` or esbuild's `plugins`.
 * @example
 * ```ts
 * import { callerPlugin } from "../caller.ts";
 * const plugin = callerPlugin();
 * plugin.name; // "sluice-caller"
 * // await Bun.build({ entrypoints: ["./src/app.ts"], outdir: "./dist", plugins: [plugin] });
 * ```
 */
export function callerPlugin(options: CallerPluginOptions = {}): { name: string; setup(build: CallerPluginBuild): void } {
  const filter = options.filter ?? /\.(?:[cm]?[jt]s|[jt]sx)$/;
  const exclude = options.exclude ?? DEPENDENCIES;
  return {
    name: "sluice-caller",
    setup(build) {
      build.onLoad({ filter }, async ({ path }) => {
        if (exclude.test(path) || !filter.test(path)) return undefined;
        const contents = callerTransform(await readText(path), path);
        return { contents, loader: LOADERS[path.slice(path.lastIndexOf(".") + 1)] ?? "js" };
      });
    },
  };
}
