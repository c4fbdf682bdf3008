/**
 * `sluice token`: shows the collector's generated token, or rotates it.
 *
 * @module
 */
import { parseTokens } from "../collector/auth.ts";
import type { CommandSpec } from "./flags.ts";
import { newToken, tokenLine, tokensPath, writeTokens } from "./tokens_file.ts";

/** The flags of `sluice token`. */
export const TOKEN: CommandSpec = {
  name: "token",
  summary: "Show the token `sluice serve` generated in <dir>/.sluice/tokens, or replace it with --rotate\n(a running collector reads its tokens at start: restart it after rotating).",
  flags: {
    dir: { type: "string", value: "DIR", default: "./logs", help: "the collector's --dir" },
    rotate: { type: "boolean", help: "replace the generated default token with a new one and print it" },
  },
};

/**
 * Runs `sluice token`.
 *
 * @example
 * ```ts
 * import { token } from "./token_command.ts";
 * token({ dir: "./logs", rotate: true });
 * ```
 */
export function token(flags: Record<string, string | boolean | undefined>): void {
  // deno-lint-ignore no-explicit-any -- an untyped runtime global or driver object (no @types for Bun, Deno and Node here)
  const fs = (globalThis as any).process.getBuiltinModule("node:fs");
  const dir = (flags.dir as string | undefined) ?? "./logs";
  const file = tokensPath(dir);
  const exists = fs.existsSync(file);
  if (!exists && flags.rotate !== true) throw new TypeError(`sluice token: ${file} does not exist; \`sluice serve --dir ${dir}\` makes it on its first start, or use --rotate`);
  if (flags.rotate === true) {
    const others = exists ? parseTokens(fs.readFileSync(file, "utf8")).filter((t) => t.name !== "default") : [];
    const fresh = newToken();
    writeTokens(fs, dir, [`default:${fresh}`, ...others.map(tokenLine)].join("\n") + "\n");
    console.log(`new token for "default" in ${file} (restart the collector to use it): ${fresh}`);
    return;
  }
  for (const t of parseTokens(fs.readFileSync(file, "utf8"))) console.log(`${t.name}: ${t.token}${t.role === "read" ? " (read: the console and /api/*)" : ""}`);
}
