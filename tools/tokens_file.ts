/**
 * The collector's generated tokens file, `<dir>/.sluice/tokens`: made on the first start that
 * succeeds, shown or rotated by `sluice token`.
 *
 * @module
 */
import { parseTokens, type TokenEntry } from "../collector/auth.ts";

/** Where `sluice serve` keeps the token it generates. */
export const tokensPath = (dir: string): string => `${dir}/.sluice/tokens`;

/** A fresh random token: 32 hex digits. */
export const newToken = (): string => crypto.randomUUID().replaceAll("-", "");

/**
 * The tokens of `<dir>/.sluice/tokens`, or a new `default` token when there is none yet; a
 * new one is written only by `save()`, which the caller runs once the collector is up, so a
 * start that fails leaves nothing behind.
 *
 * @example
 * ```ts
 * import { generatedTokens } from "./tokens_file.ts";
 * const t = generatedTokens(fs, "./logs");
 * // ... start the collector with t.tokens, then:
 * t.save();
 * ```
 */
// deno-lint-ignore no-explicit-any -- an untyped runtime global or driver object (no @types for Bun, Deno and Node here)
export function generatedTokens(fs: any, dir: string): { tokens: TokenEntry[]; generated?: string; save(): void } {
  const file = tokensPath(dir);
  if (fs.existsSync(file)) return { tokens: parseTokens(fs.readFileSync(file, "utf8")), save: () => {} };
  const generated = newToken();
  return {
    tokens: [{ name: "default", token: generated }],
    generated,
    save: () => writeTokens(fs, dir, `default:${generated}\n`),
  };
}

/** Writes the tokens file (mode 0600), replacing it whole. */
// deno-lint-ignore no-explicit-any -- an untyped runtime global or driver object (no @types for Bun, Deno and Node here)
export function writeTokens(fs: any, dir: string, text: string): void {
  fs.mkdirSync(`${dir}/.sluice`, { recursive: true });
  const tmp = tokensPath(dir) + ".new";
  fs.writeFileSync(tmp, text, { mode: 0o600 });
  fs.renameSync(tmp, tokensPath(dir));
}
