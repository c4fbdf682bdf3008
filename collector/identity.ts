/**
 * Who a token may speak as, and what one token may create: producer names (its own name, or
 * names its `producers=` patterns allow; the collector's own name `sluice` is reserved), and
 * caps on the producers and categories a token can bring into being.
 *
 * @module
 */
import { createRecord, type LogRecord } from "../lib/record.ts";
import type { Runtime } from "../lib/runtime/runtime.ts";
import type { TokenEntry } from "./auth.ts";
import { MAX_CATEGORY_LENGTH, TokenNames } from "./token_names.ts";

/** The collector's own producer and category: nobody else speaks under them. */
export const RESERVED_NAME = "sluice";
/** The caller of a collector without tokens (`noAuth`): any producer name but the reserved one. */
export const ANONYMOUS: TokenEntry = { name: "anonymous", token: "", producers: ["*"] };
/** Where records go whose category a token may not use (reserved, too long, unwritable, or past its cap). */
export const OVERFLOW_CATEGORY = "overflow";
/** A lone surrogate: a name holding one cannot be written to the names file (URI-encoded). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** Producer names: 1 to 128 of `A-Z a-z 0-9 . _ - : @ /`. */
const PRODUCER_NAME = /^[A-Za-z0-9._\-:@/]{1,128}$/;

/** The per-token caps. */
export interface IdentityLimits {
  /** Producer names one token may use. @default 1000 */
  maxProducersPerToken?: number;
  /** Producer names the token of a trusted forwarding collector may use (it speaks for many). @default 100000 */
  maxProducersPerForwarder?: number;
  /** Categories one token may create; records in further new ones go to `overflow`. @default 1000 */
  maxCategoriesPerToken?: number;
  /** Names of the tokens of trusted forwarding collectors: `maxProducersPerForwarder` is their cap. */
  trustedForwarders?: readonly string[];
}

/** Why a producer name is refused, or `undefined` when the token may use it. */
export type ProducerRefusal = string | undefined;

/**
 * Checks producer names against tokens and counts what each token has created. With a file
 * (`<dir>/.sluice/token-names`), what each token has created survives a restart, so the caps do too.
 *
 * @example
 * ```ts
 * import { Identities } from "./identity.ts";
 * const ids = new Identities({ maxProducersPerToken: 10 });
 * ids.refuseProducer({ name: "edge", token: "t", producers: ["edge-*"] }, "edge-7", false); // undefined: allowed
 * ```
 */
export class Identities {
  readonly #maxProducers: number;
  readonly #maxForwarded: number;
  readonly #maxCategories: number;
  readonly #forwarders: ReadonlySet<string>;
  readonly #names: TokenNames;
  /** Each token's `producers=` patterns as one expression, compiled once per entry. */
  readonly #patterns = new WeakMap<TokenEntry, RegExp>();
  /** Refusals by bound, for `/metrics`. */
  readonly refused = { identity: 0, producers: 0, categories: 0, reserved: 0, long: 0, malformed: 0 };

  /**
   * @param limits The caps (defaults above).
   * @param tokens The tokens, whose `producers=` patterns are compiled here, once; the names file keeps only theirs.
   * @param file Where the names each token created are kept across restarts; in memory only without it.
   */
  constructor(limits: IdentityLimits = {}, tokens: readonly TokenEntry[] = [], file?: { path: string; runtime: Runtime }) {
    this.#maxProducers = positive(limits.maxProducersPerToken ?? 1000, "maxProducersPerToken");
    this.#maxForwarded = positive(limits.maxProducersPerForwarder ?? 100_000, "maxProducersPerForwarder");
    this.#maxCategories = positive(limits.maxCategoriesPerToken ?? 1000, "maxCategoriesPerToken");
    this.#forwarders = new Set(limits.trustedForwarders ?? []);
    for (const t of tokens) this.#pattern(t);
    // names of tokens no longer configured are not read back
    const known = new Set([ANONYMOUS.name, ...tokens.map((t) => t.name)]);
    const cap = (kind: "P" | "C", token: string) => !known.has(token) ? 0 : kind === "C" ? this.#maxCategories : this.#producerCap(token);
    this.#names = new TokenNames(file?.path, file?.runtime, cap);
  }

  /** Lines of the names file skipped at start (corrupt, or past a cap lowered since). */
  get skipped(): number {
    return this.#names.skipped;
  }

  /** Closes the names file. */
  close(): void {
    this.#names.close();
  }

  /**
   * Why `token` may not speak as `producer` (a message for a 403), or `undefined` when it may.
   * A trusted forwarding collector may use any well-formed name; others their token's name or
   * a name its patterns allow, never `sluice`; each token at most `maxProducersPerToken` names.
   */
  refuseProducer(token: TokenEntry, producer: string, trusted: boolean): ProducerRefusal {
    if (producer !== token.name && !PRODUCER_NAME.test(producer)) {
      this.refused.identity++;
      return `producer names are 1 to 128 characters of A-Z a-z 0-9 . _ - : @ /`;
    }
    if (!trusted && (producer === RESERVED_NAME || !this.#allows(token, producer))) {
      this.refused.identity++;
      return `token ${JSON.stringify(token.name)} may not speak as producer ${JSON.stringify(producer)}` +
        (producer === RESERVED_NAME ? " (reserved for the collector)" : `; it may use ${[token.name, ...(token.producers ?? [])].join(", ")}`);
    }
    if (!this.#names.has("P", token.name, producer)) {
      const cap = this.#producerCap(token.name);
      if (this.#names.count("P", token.name) >= cap) {
        this.refused.producers++;
        const flag = this.#forwarders.has(token.name) ? "--max-producers-per-forwarder" : "--max-producers-per-token";
        return `token ${JSON.stringify(token.name)} has used its ${cap} producer names (${flag})`;
      }
      this.#names.add("P", token.name, producer);
    }
    return undefined;
  }

  /**
   * The records as they may be written: a record in the reserved category (`sluice`, `sluice.*`),
   * in a new category longer than `MAX_CATEGORY_LENGTH` (256) or holding a lone surrogate (it
   * could not be kept in the names file), or in a new category past the token's cap, goes to the
   * `overflow` category with its category kept as `overflowCategory`.
   * Nothing is dropped. A trusted forwarding collector's records pass as they are.
   */
  admitCategories(token: string, records: LogRecord[], trusted: boolean): LogRecord[] {
    if (trusted) return records; // a forwarding collector's own producers were capped where they logged
    let out: LogRecord[] | undefined;
    for (let i = 0; i < records.length; i++) {
      const c = records[i].category;
      const refused = c === undefined ? undefined : this.#refusal(token, c);
      if (refused === undefined) continue;
      this.refused[refused]++;
      out ??= records.slice();
      out[i] = overflow(records[i]);
    }
    return out ?? records;
  }

  /**
   * Whether records all in `category` keep it, as {@linkcode admitCategories} would say for each
   * of them (a new name is kept), without counting a refusal: for a body whose records are not
   * made yet; when this says no, their `admitCategories` counts them.
   *
   * @example
   * ```ts ignore
   * if (!identities.admitsAll("edge", "http", false)) records = identities.admitCategories("edge", records, false);
   * ```
   */
  admitsAll(token: string, category: string | undefined, trusted: boolean): boolean {
    return trusted || category === undefined || this.#refusal(token, category) === undefined;
  }

  /** Why a record in category `c` goes to `overflow`, or undefined when it keeps `c` (a new name is kept). */
  #refusal(token: string, c: string): "reserved" | "long" | "malformed" | "categories" | undefined {
    if (isReserved(c)) return "reserved";
    if (this.#names.has("C", token, c)) return undefined;
    if (c.length > MAX_CATEGORY_LENGTH) return "long";
    if (LONE_SURROGATE.test(c)) return "malformed";
    if (this.#names.count("C", token) >= this.#maxCategories) return "categories";
    this.#names.add("C", token, c);
    return undefined;
  }

  #producerCap(token: string): number {
    return this.#forwarders.has(token) ? this.#maxForwarded : this.#maxProducers;
  }

  /** Whether the token's name or one of its patterns (`*` matches any run of characters) allows `producer`. */
  #allows(token: TokenEntry, producer: string): boolean {
    return producer === token.name || this.#pattern(token).test(producer);
  }

  /** The token's patterns as one expression: compiled the first time (for the configured tokens, in the constructor), then reused. */
  #pattern(token: TokenEntry): RegExp {
    let re = this.#patterns.get(token);
    if (re === undefined) {
      const alternatives = (token.producers ?? []).map((p) => p.split("*").map(escape).join(".*"));
      re = alternatives.length === 0 ? /(?!)/ : new RegExp(`^(?:${alternatives.join("|")})$`);
      this.#patterns.set(token, re);
    }
    return re;
  }
}

function isReserved(category: string): boolean {
  return category === RESERVED_NAME || category.startsWith(RESERVED_NAME + ".");
}

const escape = (s: string) => s.replace(/[.+?^${}()|[\]\\/-]/g, "\\$&");

/** The record moved to the overflow category, its own category kept as a field. */
function overflow(r: LogRecord): LogRecord {
  const tail = ',"overflowCategory":' + JSON.stringify(r.category) + r.json.slice(r.fieldsAt);
  return createRecord(r.time, r.level, OVERFLOW_CATEGORY, r.msg, tail);
}

function positive(n: number, name: string): number {
  if (!Number.isInteger(n) || n < 1) throw new TypeError(`sluice: ${name} must be a positive integer, got ${n}`);
  return n;
}
