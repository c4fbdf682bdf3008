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

/** The name of the read token `sluice serve` generates for the console and `/api/*`. */
export const READ_TOKEN_NAME = "reader";

/**
 * One tokens-file line for an entry: `name:token`, then `:producers=…` and `:role=read` when set.
 *
 * @example
 * ```ts
 * import { tokenLine } from "./tokens_file.ts";
 * tokenLine({ name: "ops", token: "r34d", role: "read" }); // "ops:r34d:role=read"
 * ```
 */
export function tokenLine(t: TokenEntry): string {
  return `${t.name}:${t.token}${t.producers ? `:producers=${t.producers.join(",")}` : ""}${t.role ? `:role=${t.role}` : ""}`;
}

/**
 * The tokens of `<dir>/.sluice/tokens`, or a new `default` token (records) and a new `reader`
 * token (`role=read`: the console and `/api/*`) when there is none yet; a file without a read
 * token gets one. What is new is written only by `save()`, which the caller runs once the
 * collector is up, so a start that fails leaves nothing behind.
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
export function generatedTokens(fs: any, dir: string): { tokens: TokenEntry[]; generated?: string; generatedRead?: string; save(): void } {
  const file = tokensPath(dir);
  const tokens = fs.existsSync(file) ? parseTokens(fs.readFileSync(file, "utf8")) : [];
  const generated = tokens.length === 0 ? newToken() : undefined;
  if (generated !== undefined) tokens.push({ name: "default", token: generated });
  const generatedRead = tokens.some((t) => t.role === "read") ? undefined : newToken();
  if (generatedRead !== undefined) tokens.push({ name: tokens.some((t) => t.name === READ_TOKEN_NAME) ? `${READ_TOKEN_NAME}-${generatedRead.slice(0, 6)}` : READ_TOKEN_NAME, token: generatedRead, role: "read" });
  return {
    tokens,
    generated,
    generatedRead,
    save: () => {
      if (generated !== undefined || generatedRead !== undefined) writeTokens(fs, dir, tokens.map(tokenLine).join("\n") + "\n");
    },
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
