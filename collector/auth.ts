/**
 * Bearer tokens, compared in constant time.
 *
 * @module
 */

/**
 * A producer's token and the name its records are tagged with.
 *
 * @example
 * ```ts
 * const tokens: TokenEntry[] = parseTokens("edge:s3cret\nci:0ther");
 * ```
 */
export interface TokenEntry {
  /** The token's name: the producer its records are tagged with by default. */
  name: string;
  /** The secret, sent as `Authorization: Bearer <token>`. */
  token: string;
  /**
   * Producer names the token may speak as besides its own name (`X-Sluice-Producer`,
   * heartbeats); `*` matches any run of characters: `["edge-*"]`.
   */
  producers?: readonly string[];
  /**
   * `"read"`: the token may read `/metrics` and `/producers` and nothing else (a `403` on
   * `/ingest`, `/v1/logs` and `/heartbeat`), for dashboards and scrapers. Without it a token
   * may send records and read.
   */
  role?: "read";
}

/**
 * Parses a tokens file: one token a line, as `name:token`, then optionally
 * `:producers=edge-*,web` (the producer names it may also speak as) and `:role=read` (a
 * read-only token), in either order; or a bare token (named `token-N`). Blank lines and `#`
 * comments are skipped. A token value cannot end in `:producers=…` or `:role=…`.
 *
 * @param text The file's text.
 * @returns The entries; throws a `TypeError` for a file with no token or an unknown role.
 * @example
 * ```ts
 * import { parseTokens } from "./auth.ts";
 * parseTokens("edge-1:s3cret\n# comment\n"); // [{ name: "edge-1", token: "s3cret" }]
 * parseTokens("edge:s3cret:producers=edge-*"); // [{ name: "edge", token: "s3cret", producers: ["edge-*"] }]
 * parseTokens("grafana:r34d:role=read"); // [{ name: "grafana", token: "r34d", role: "read" }]
 * ```
 */
export function parseTokens(text: string): TokenEntry[] {
  const entries: TokenEntry[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const colon = line.indexOf(":");
    if (colon <= 0) {
      entries.push({ name: `token-${entries.length + 1}`, token: line });
      continue;
    }
    const name = line.slice(0, colon);
    const entry: TokenEntry = { name, token: line.slice(colon + 1) };
    for (let opt; (opt = /:(producers|role)=([^:]*)$/.exec(entry.token)) !== null;) {
      entry.token = entry.token.slice(0, opt.index);
      if (opt[1] === "producers") entry.producers = opt[2].split(",").map((p) => p.trim()).filter(Boolean);
      else if (opt[2].trim() === "read") entry.role = "read";
      else throw new TypeError(`sluice: token ${JSON.stringify(name)} has role ${JSON.stringify(opt[2])}; the only role is "read" (leave it out for a token that sends records)`);
    }
    entries.push(entry);
  }
  if (entries.length === 0) throw new TypeError("sluice: the tokens file holds no token");
  return entries;
}

/**
 * The tokens of `SLUICE_TOKENS` as {@linkcode parseTokens} lines: entries separated by commas
 * or newlines, where a comma inside a `producers=` list continues the list: a piece after
 * `:producers=…` on the same line that has no colon (or only a `:role=…`) is one more producer
 * name. A bare token that follows a `producers=` list goes on the next line.
 *
 * @param value The variable's value.
 * @returns The entries.
 * @example
 * ```ts
 * import { parseTokenEnv } from "./auth.ts";
 * parseTokenEnv("edge:s3cret:producers=edge-*,web,ops:t2"); // [{ name: "edge", token: "s3cret", producers: ["edge-*", "web"] }, { name: "ops", token: "t2" }]
 * ```
 */
export function parseTokenEnv(value: string): TokenEntry[] {
  const lines: string[] = [];
  for (const row of value.split("\n")) {
    const first = lines.length; // a newline always ends an entry, as in a tokens file
    for (const piece of row.split(",")) {
      const last = lines.length - 1;
      if (last >= first && /:producers=[^:]*$/.test(lines[last]) && /^[^:]*(:role=[^:]*)?$/.test(piece)) lines[last] += "," + piece;
      else lines.push(piece);
    }
  }
  return parseTokens(lines.join("\n"));
}

/**
 * Finds the entry whose token matches the `Authorization: Bearer …` header. Every token is
 * compared in full, in time that depends only on the lengths, so timing does not tell how
 * much of a guess was right.
 *
 * @param header The Authorization header, or null.
 * @param tokens The accepted tokens.
 * @returns The matching entry, or undefined.
 * @example
 * ```ts
 * import { authenticate } from "./auth.ts";
 * authenticate("Bearer s3cret", [{ name: "edge-1", token: "s3cret" }])?.name; // "edge-1"
 * ```
 */
export function authenticate(header: string | null, tokens: readonly TokenEntry[]): TokenEntry | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  if (!m) return undefined;
  const given = new TextEncoder().encode(m[1]);
  let found: TokenEntry | undefined;
  for (const entry of tokens) if (constantTimeEqual(given, new TextEncoder().encode(entry.token)) && found === undefined) found = entry;
  return found;
}

/**
 * Compares two byte strings in time that depends only on their lengths.
 *
 * @example
 * ```ts
 * import { constantTimeEqual } from "./auth.ts";
 * constantTimeEqual(new Uint8Array([1]), new Uint8Array([1])); // true
 * ```
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ (b[i % Math.max(b.length, 1)] ?? 0);
  return diff === 0;
}
