/**
 * The query language's parser: text → {@linkcode QueryNode}, or a {@linkcode QueryError}.
 *
 * ```
 * query    = [or]
 * or       = and { "OR" and }
 * and      = unary { ["AND"] unary }        terms side by side are joined by AND
 * unary    = "-" unary | "(" or ")" | term  "-" right before a term negates it
 * term     = phrase | word | field ":" value
 * value    = phrase | (">" | ">=" | "<" | "<=") number-or-level | "*" | bare ["*"]
 * phrase   = '"' { char | "\" char } '"'    a backslash takes the next character as it is
 * ```
 *
 * Precedence, tightest first: `-`, then AND (by juxtaposition or the word `AND`), then `OR`:
 * `a b OR c` is `(a AND b) OR c`. `OR` and `AND` are keywords only in capitals and as whole
 * tokens (`or` is a word; quote `"OR"` to search for it). A bare token runs until whitespace,
 * `(`, `)` or `"`; its first `:` splits field from value. A trailing `*` makes a value a prefix
 * (`route:/api*`); on a word it changes nothing (words match inside values anyway), and `*`
 * alone matches every record. A value in quotes is taken exactly, `*` included. Queries are at
 * most {@linkcode MAX_QUERY_LENGTH} characters and {@linkcode MAX_QUERY_DEPTH} nested groups.
 *
 * @module
 */
import { LEVEL_NAMES, type LevelName } from "../levels.ts";
import type { CompareOp, QueryNode } from "./ast.ts";
import { QueryError } from "./query_error.ts";

/**
 * The longest query text accepted, in characters.
 *
 * @example
 * ```ts
 * import { MAX_QUERY_LENGTH } from "./parse.ts";
 * MAX_QUERY_LENGTH; // 4096
 * ```
 */
export const MAX_QUERY_LENGTH = 4096;

/**
 * The deepest nesting of parentheses and `-` accepted.
 *
 * @example
 * ```ts
 * import { MAX_QUERY_DEPTH } from "./parse.ts";
 * MAX_QUERY_DEPTH; // 64
 * ```
 */
export const MAX_QUERY_DEPTH = 64;

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const OPS: CompareOp[] = [">=", "<=", ">", "<"];
const LEVELS = `a level name (${LEVEL_NAMES.join(", ")})`;

/**
 * Parses a query.
 *
 * @param text The query, e.g. `level:>=warn route:/api* -"health check"`.
 * @returns Its tree; the empty query is `{ kind: "all" }`.
 * @throws {QueryError} When it does not parse, with the position and what was expected.
 * @example
 * ```ts
 * import { parseQuery } from "./parse.ts";
 * parseQuery("ms:>250 OR err:*");
 * // { kind: "or", nodes: [{ kind: "compare", path: ["ms"], op: ">", value: 250 },
 * //                       { kind: "field", path: ["err"], op: "exists" }] }
 * ```
 */
export function parseQuery(text: string): QueryNode {
  if (typeof text !== "string") throw new QueryError(0, "a query string");
  if (text.length > MAX_QUERY_LENGTH) throw new QueryError(MAX_QUERY_LENGTH, `the end of the query (at most ${MAX_QUERY_LENGTH} characters)`);
  return new Parser(text).query();
}

const isSpace = (c: string | undefined) => c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\f" || c === "\v";
const ends = (c: string | undefined) => c === undefined || isSpace(c) || c === "(" || c === ")" || c === '"';

class Parser {
  readonly #s: string;
  #pos = 0;
  #depth = 0;

  constructor(s: string) {
    this.#s = s;
  }

  query(): QueryNode {
    this.#skip();
    if (this.#pos === this.#s.length) return { kind: "all" };
    const node = this.#or();
    if (this.#pos < this.#s.length) throw new QueryError(this.#pos, "a term or the end of the query");
    return node;
  }

  #or(): QueryNode {
    const nodes = [this.#and()];
    while (this.#keyword("OR")) {
      this.#pos += 2;
      nodes.push(this.#and());
    }
    return nodes.length === 1 ? nodes[0] : { kind: "or", nodes };
  }

  #and(): QueryNode {
    const nodes = [this.#unary()];
    for (;;) {
      this.#skip();
      const c = this.#s[this.#pos];
      if (c === undefined || c === ")" || this.#keyword("OR")) break;
      if (this.#keyword("AND")) this.#pos += 3;
      nodes.push(this.#unary());
    }
    return nodes.length === 1 ? nodes[0] : { kind: "and", nodes };
  }

  #unary(): QueryNode {
    this.#skip();
    const c = this.#s[this.#pos];
    if (c === "-" || c === "(") {
      if (++this.#depth > MAX_QUERY_DEPTH) throw new QueryError(this.#pos, `at most ${MAX_QUERY_DEPTH} nested groups`);
      this.#pos++;
      let node: QueryNode;
      if (c === "-") {
        if (ends(this.#s[this.#pos]) && this.#s[this.#pos] !== "(" && this.#s[this.#pos] !== '"') throw new QueryError(this.#pos, 'a term right after "-"');
        node = { kind: "not", node: this.#unary() };
      } else {
        node = this.#or();
        this.#skip();
        if (this.#s[this.#pos] !== ")") throw new QueryError(this.#pos, '")"');
        this.#pos++;
      }
      this.#depth--;
      return node;
    }
    if (c === undefined || c === ")" || this.#keyword("OR") || this.#keyword("AND")) throw new QueryError(this.#pos, "a term");
    if (c === '"') {
      const text = this.#phrase();
      return text === "" ? { kind: "all" } : { kind: "text", text };
    }
    return this.#bare();
  }

  #bare(): QueryNode {
    const start = this.#pos;
    while (!ends(this.#s[this.#pos])) this.#pos++;
    const token = this.#s.slice(start, this.#pos);
    const colon = token.indexOf(":");
    if (colon < 0) {
      const word = token.replace(/\*+$/, "");
      return word === "" ? { kind: "all" } : { kind: "text", text: word };
    }
    const name = token.slice(0, colon);
    const path = name.split(".");
    if (path.some((p) => p === "")) throw new QueryError(start, "a field name (dot-separated, no empty part)");
    const value = token.slice(colon + 1);
    const at = start + colon + 1;
    if (value === "") {
      if (this.#s[this.#pos] !== '"') throw new QueryError(at, "a value");
      return { kind: "field", path, op: "eq", value: this.#phrase() };
    }
    const op = OPS.find((o) => value.startsWith(o));
    if (op !== undefined) {
      const operand = value.slice(op.length);
      if (name === "level") {
        const level = operand.toLowerCase() as LevelName;
        if (!LEVEL_NAMES.includes(level)) throw new QueryError(at + op.length, LEVELS);
        return { kind: "level", op, level };
      }
      if (!NUMBER.test(operand)) throw new QueryError(at + op.length, "a number");
      return { kind: "compare", path, op, value: Number(operand) };
    }
    if (value.endsWith("*")) {
      const prefix = value.replace(/\*+$/, "");
      return prefix === "" ? { kind: "field", path, op: "exists" } : { kind: "field", path, op: "prefix", value: prefix };
    }
    return NUMBER.test(value) ? { kind: "field", path, op: "eq", value, number: Number(value) } : { kind: "field", path, op: "eq", value };
  }

  /** Reads a phrase from its opening quote; returns its text with the escapes taken. */
  #phrase(): string {
    this.#pos++;
    let out = "";
    for (;;) {
      const c = this.#s[this.#pos];
      if (c === undefined) throw new QueryError(this.#pos, `'"' (the end of the phrase)`);
      if (c === '"') break;
      if (c === "\\") {
        if (this.#pos + 1 >= this.#s.length) throw new QueryError(this.#s.length, `a character after "\\"`);
        out += this.#s[this.#pos + 1];
        this.#pos += 2;
      } else {
        out += c;
        this.#pos++;
      }
    }
    this.#pos++;
    return out;
  }

  #keyword(word: string): boolean {
    return this.#s.startsWith(word, this.#pos) && ends(this.#s[this.#pos + word.length]);
  }

  #skip(): void {
    while (isSpace(this.#s[this.#pos])) this.#pos++;
  }
}
