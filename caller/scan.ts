/**
 * A JavaScript and TypeScript tokenizer just deep enough for `sluice/caller`'s transform: it
 * tells code from strings, template literals (with `${}` nested to any depth), comments and
 * regular expression literals (and, asked to, JSX markup), and pairs every bracket.
 *
 * @module
 */

import { type JsxState, skipJsx, startsJsx } from "./jsx.ts";

/** What a token is: a name (identifier or keyword), a number, a string, a template part, a regex, or a punctuator. */
export type TokenKind = "name" | "num" | "str" | "tmpl" | "regex" | "punct";

/**
 * One token of a source: its kind, its text's bounds and text (for names and punctuators).
 * A template literal with substitutions is several `tmpl` tokens (`` `a${ ``, `}b${`, `` }c` ``)
 * with the tokens of each substitution between them.
 *
 * @example
 * ```ts
 * import { tokenize } from "./scan.ts";
 * tokenize("log.info(`a${b}`)").tokens.map((t) => t.text); // ["log", ".", "info", "(", "`a${", "b", "}`", ")"]
 * ```
 */
export interface Token {
  kind: TokenKind;
  start: number;
  end: number;
  text: string;
}

/**
 * A source's tokens, and for each bracket or template part the index of its partner: an
 * opening `(`, `[`, `{` or template head points at its closer and the closer back; a template's
 * last part points at its first.
 *
 * @example
 * ```ts
 * import { tokenize } from "./scan.ts";
 * const { tokens, partner } = tokenize("f(a, [b])");
 * tokens[partner[1]!]!.text; // ")"
 * ```
 */
export interface Scan {
  tokens: Token[];
  partner: (number | undefined)[];
}

/** Keywords after which an expression starts, so a `/` begins a regular expression. */
const EXPRESSION_BEFORE = new Set([
  "return", "typeof", "instanceof", "in", "of", "new", "delete", "void", "throw", "case", "do", "else", "yield", "await", "extends",
]);
/** Keywords whose parenthesized head is followed by a statement, where a `/` begins a regex. */
const STATEMENT_HEAD = new Set(["if", "while", "for", "with"]);
const PUNCTUATORS = ["...", "?.", "=>", "++", "--", "!==", "!=", "===", "=="];
const NAME_START = /[A-Za-z_$#\u00a0-\uffff]/;
const NAME_PART = /[\w$\u00a0-\uffff]/;
const NUMBER = /(?:0[xXoObB][\da-fA-F_]+|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d[\d_]*)?)n?/y;

/**
 * Splits `source` into tokens, skipping whitespace, comments and a leading `#!` line. A `/`
 * is a regex where an expression may start (after an operator, `(`, `,`, a keyword such as
 * `return`, the `)` of an `if (...)`, a `}`), a division elsewhere; a regex that would run
 * past its line is read as a division instead. Never throws: an unterminated string or
 * comment ends at its line's or the source's end. With `jsx`, an element's markup is one `str`
 * token (and each expression container's code is tokenized).
 *
 * @param source JavaScript or TypeScript.
 * @param options `jsx: true` for JSX and TSX.
 * @returns The tokens and their partners.
 * @example
 * ```ts
 * import { tokenize } from "./scan.ts";
 * tokenize("x = a / b / c; y = /re/g").tokens.filter((t) => t.kind === "regex").length; // 1
 * ```
 */
export function tokenize(source: string, options: { jsx?: boolean } = {}): Scan {
  const tokens: Token[] = [];
  const jsxAt = new Map<number, JsxState>(); // a container's { token: where its markup resumes
  const partner: (number | undefined)[] = [];
  const open: number[] = []; // indices of unclosed ( [ { and template heads
  const n = source.length;
  let i = source.startsWith("#!") ? lineEnd(source, 0) : 0;
  const push = (kind: TokenKind, start: number, end: number) => {
    tokens.push({ kind, start, end, text: kind === "name" || kind === "punct" || kind === "tmpl" ? source.slice(start, end) : "" });
    partner.push(undefined);
  };
  const pair = (closer: number) => {
    const opener = open.pop();
    if (opener !== undefined) (partner[opener] = closer), (partner[closer] = opener);
    return opener;
  };
  /** Reads JSX markup from `from` as one token; an expression container's `{` is a token of its own. */
  const markup = (start: number, from: number, state: JsxState) => {
    const { end, container } = skipJsx(source, from, state);
    if ((container ? end - 1 : end) > start) push("str", start, container ? end - 1 : end);
    if (container) {
      push("punct", end - 1, end);
      open.push(tokens.length - 1);
      jsxAt.set(tokens.length - 1, state);
    }
    i = end;
  };
  /** Reads a template from `from` (just after a backquote or a substitution's `}`) to its end or next `${`. */
  const template = (start: number, from: number) => {
    let j = from;
    while (j < n && source[j] !== "`" && !(source[j] === "$" && source[j + 1] === "{")) j += source[j] === "\\" ? 2 : 1;
    const head = j < n && source[j] === "$";
    push("tmpl", start, Math.min(n, j + (head ? 2 : 1)));
    const here = tokens.length - 1;
    if (source[start] === "}") pair(here); // closes the substitution opened by the previous part
    if (head) open.push(here);
    i = Math.min(n, j + (head ? 2 : 1));
  };
  while (i < n) {
    const c = source[i]!;
    if (c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\ufeff" || c === "\u2028" || c === "\u2029" || c === "\v" || c === "\f") {
      i++;
    } else if (c === "/" && source[i + 1] === "/") {
      i = lineEnd(source, i);
    } else if (c === "/" && source[i + 1] === "*") {
      const e = source.indexOf("*/", i + 2);
      i = e < 0 ? n : e + 2;
    } else if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < n && source[j] !== c && source[j] !== "\n") j += source[j] === "\\" ? (source[j + 1] === "\r" && source[j + 2] === "\n" ? 3 : 2) : 1;
      push("str", i, Math.min(n, j + 1));
      i = Math.min(n, j + 1);
    } else if (c === "`") {
      template(i, i + 1);
    } else if (c === "}" && open.length > 0 && tokens[open[open.length - 1]!]!.kind === "tmpl") {
      template(i, i + 1);
    } else if (NAME_START.test(c)) {
      let j = i + 1;
      while (j < n && NAME_PART.test(source[j]!)) j++;
      push("name", i, j);
      i = j;
    } else if ((c >= "0" && c <= "9") || (c === "." && source[i + 1]! >= "0" && source[i + 1]! <= "9")) {
      NUMBER.lastIndex = i;
      NUMBER.test(source);
      const j = Math.max(i + 1, NUMBER.lastIndex);
      push("num", i, j);
      i = j;
    } else if (c === "<" && options.jsx && regexAllowed(tokens, partner, source) && startsJsx(source, i)) {
      markup(i, i + 1, { depth: 1, inTag: true });
    } else if (c === "/" && regexAllowed(tokens, partner, source)) {
      const j = regexEnd(source, i);
      if (j < 0) (push("punct", i, i + 1), (i += 1));
      else (push("regex", i, j), (i = j));
    } else {
      const p = PUNCTUATORS.find((q) => source.startsWith(q, i) && !(q === "?." && /\d/.test(source[i + 2] ?? "")));
      const len = p?.length ?? 1;
      push("punct", i, i + len);
      i += len;
      if (c === "(" || c === "[" || c === "{") open.push(tokens.length - 1);
      else if (c === ")" || c === "]" || c === "}") {
        const state = jsxAt.get(pair(tokens.length - 1) ?? -1);
        if (state !== undefined) markup(i, i, state);
      }
    }
  }
  return { tokens, partner };
}

function lineEnd(source: string, from: number): number {
  const e = source.indexOf("\n", from);
  return e < 0 ? source.length : e;
}

/** The end of the regex literal starting at `from`, or -1 when it does not close on its line. */
function regexEnd(source: string, from: number): number {
  let j = from + 1;
  let inClass = false;
  for (; j < source.length; j++) {
    const c = source[j];
    if (c === "\n" || c === "\r") return -1;
    if (c === "\\") j++;
    else if (c === "[") inClass = true;
    else if (c === "]") inClass = false;
    else if (c === "/" && !inClass) break;
  }
  if (j >= source.length) return -1;
  j++;
  while (j < source.length && NAME_PART.test(source[j]!)) j++;
  return j;
}

/** Whether a `/` after the tokens read so far starts a regular expression (an expression may start there). */
function regexAllowed(tokens: Token[], partner: (number | undefined)[], source: string): boolean {
  const last = tokens.length - 1;
  const prev = tokens[last];
  if (prev === undefined) return true;
  const afterDot = last > 0 && (tokens[last - 1]!.text === "." || tokens[last - 1]!.text === "?.");
  switch (prev.kind) {
    case "num":
    case "str":
    case "regex":
      return false;
    case "tmpl":
      return prev.text.endsWith("${");
    case "name":
      return !afterDot && EXPRESSION_BEFORE.has(prev.text);
  }
  const t = prev.text;
  if (t === ")") {
    const opener = partner[last];
    const head = opener === undefined ? undefined : tokens[opener - 1];
    return head !== undefined && head.kind === "name" && STATEMENT_HEAD.has(head.text);
  }
  if (t === "]" || t === "++" || t === "--") return false;
  // TypeScript's non-null assertion `x!` (no space before the `!`) ends an expression
  if (t === "!" && last > 0 && prev.start === tokens[last - 1]!.end && /[\w$)\]]/.test(source[prev.start - 1]!)) return false;
  return true;
}
