/**
 * Node's module-customization hooks for `sluice/caller` (registered by
 * `node --import sluice/caller/register`): the app's own JavaScript (and, where Node strips
 * types, TypeScript) files are loaded through the caller transform.
 *
 * @module
 */
import { DEPENDENCIES } from "./plugin.ts";
import { readText } from "./read.ts";
import { callerTransform } from "./transform.ts";

/** What a `load` hook receives and returns (node:module's LoadHookContext / LoadFnOutput, the parts used). */
interface Loaded {
  format?: string | null;
  source?: string | ArrayBuffer | ArrayBufferView | null;
  shortCircuit?: boolean;
}

const FORMATS = new Set(["module", "commonjs", "module-typescript", "commonjs-typescript"]);

/**
 * Node's `load` hook: loads `url` as Node would, then transforms it when it is a `file:` URL
 * outside `node_modules` in a JavaScript or TypeScript format. A CommonJS file whose source
 * Node leaves to its own loader is read here, so it is transformed too.
 *
 * @param url The module's URL.
 * @param context Node's load context.
 * @param nextLoad The next hook in the chain.
 * @returns The module, transformed where it applies.
 * @example
 * ```ts
 * import { load } from "./node_hooks.ts";
 * const next = async () => ({ format: "module", source: 'log.info("x");' });
 * const out = await load("file:///app/main.mjs", {}, next);
 * String(out.source).includes("main.mjs:1"); // true
 * ```
 */
export async function load(url: string, context: object, nextLoad: (url: string, context: object) => Promise<Loaded>): Promise<Loaded> {
  const loaded = await nextLoad(url, context);
  if (!url.startsWith("file:") || DEPENDENCIES.test(url) || !FORMATS.has(loaded.format ?? "")) return loaded;
  const source = loaded.source ?? await readText(new URL(url));
  const text = typeof source === "string" ? source : new TextDecoder().decode(source as ArrayBufferView);
  return { ...loaded, source: callerTransform(text, url) };
}
