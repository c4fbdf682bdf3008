/**
 * The build-time side of `caller: true`: a transform that writes each level-method call's
 * location into the code, so the logger takes it from a slot instead of capturing a stack.
 *
 * `X.info(a, b)` on line 12 of `app.ts` becomes `__sluiceAt(X, 0).info(...__sluiceArm([a, b], 0))`:
 * `__sluiceAt` keeps the receiver for call site 0 and returns it; once every argument is
 * evaluated, `__sluiceArm` puts (receiver, `"app.ts:12"`) in the slot shared through
 * `globalThis[Symbol.for("sluice.caller")]` and returns the arguments, and the call follows at
 * once. A logger with `caller: true` takes the location only when the slot names itself
 * (lib/caller.ts), so another receiver (`console.info`, a `Map`) sees the same arguments and
 * leaves a location no logger takes. The definitions go on the file's first line (after its
 * directives); no line is added or removed.
 *
 * @module
 */
import { LEVEL_NAMES } from "../lib/levels.ts";
import { type Scan, tokenize } from "./scan.ts";

/**
 * A level-method call the transform rewrites: where its receiver starts and ends, where its
 * method name and its parentheses are, and the line it is on (1-based).
 *
 * @example
 * ```ts
 * import { callerSites } from "./transform.ts";
 * callerSites("\nlog.info('x')")[0]!.line; // 2
 * ```
 */
export interface CallerSite {
  receiverStart: number;
  receiverEnd: number;
  name: number;
  open: number;
  close: number;
  line: number;
}

const LEVELS = new Set<string>(LEVEL_NAMES);

/**
 * Every call of a level method (`trace` … `fatal`) on a receiver in `source`: `X.info(...)`,
 * `X?.info(...)`, `X.info?.(...)`, where X is a name, `this`, a member chain, a call, a
 * parenthesized expression or `new C()`. Left out (they keep the stack capture): `super.info(`,
 * computed `X["info"](`, a receiver with its own `?.` (`a?.b.info(`: wrapping it would end
 * the optional chain early), type arguments (`X.info<T>(`).
 *
 * @param source JavaScript or TypeScript.
 * @param jsx Whether `source` is JSX or TSX (its markup is not code; its `{...}` are).
 * @returns The sites, in source order of their method names.
 * @example
 * ```ts
 * import { callerSites } from "./transform.ts";
 * callerSites("console.info(`log.warn(x)`); super.error(e)").length; // 1
 * ```
 */
export function callerSites(source: string, jsx = false): CallerSite[] {
  const scan = tokenize(source, { jsx });
  const { tokens, partner } = scan;
  const sites: CallerSite[] = [];
  let line = 1, counted = 0;
  for (let i = 1; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind !== "name" || !LEVELS.has(t.text)) continue;
    const dot = tokens[i - 1]!;
    if (dot.text !== "." && dot.text !== "?.") continue;
    let open = i + 1;
    if (tokens[open]?.text === "?.") open++;
    if (tokens[open]?.text !== "(" || partner[open] === undefined) continue;
    const start = receiverStart(scan, i - 2);
    if (start === undefined) continue;
    for (; counted < t.start; counted++) if (source.charCodeAt(counted) === 10) line++;
    sites.push({
      receiverStart: tokens[start]!.start,
      receiverEnd: tokens[i - 2]!.end,
      name: t.start,
      open: tokens[open]!.start,
      close: tokens[partner[open]!]!.start,
      line,
    });
  }
  return sites;
}

/** Whether the token can end an expression that a call, index or member access continues. */
function endsOperand(scan: Scan, k: number): boolean {
  const t = scan.tokens[k];
  if (t === undefined) return false;
  if (t.kind === "name") return !NOT_OPERAND.has(t.text) || isProperty(scan, k);
  if (t.kind === "tmpl") return t.text.endsWith("`") && t.text.length > 0 && (t.text[0] === "`" || t.text[0] === "}");
  return t.kind !== "punct" || t.text === ")" || t.text === "]" || (t.text === "!" && isPostfixBang(scan, k));
}
const NOT_OPERAND = new Set([
  "return", "typeof", "instanceof", "in", "of", "new", "delete", "void", "throw", "case", "do", "else", "yield", "await", "extends",
  "if", "while", "for", "with", "switch", "catch", "var", "let", "const", "export", "default", "as", "satisfies",
]);
const isProperty = (scan: Scan, k: number) => k > 0 && (scan.tokens[k - 1]!.text === "." || scan.tokens[k - 1]!.text === "?.");
const isPostfixBang = (scan: Scan, k: number) => k > 0 && scan.tokens[k]!.start === scan.tokens[k - 1]!.end && endsOperand(scan, k - 1);

/**
 * The index of the first token of the receiver that ends at token `k`, or undefined when the
 * call is not one the transform rewrites (see {@linkcode callerSites}).
 */
function receiverStart(scan: Scan, k: number): number | undefined {
  const { tokens, partner } = scan;
  let calls = false;
  for (;;) {
    const t = tokens[k];
    if (t === undefined) return undefined;
    let first = k; // the first token of this link of the chain
    if (t.text === ")" || t.text === "]") {
      const opener = partner[k];
      if (opener === undefined) return undefined;
      first = opener;
      const before = tokens[opener - 1]?.text;
      // a?.[x] / f?.(): an optional chain inside the receiver; f<T>(x): type arguments
      if (before === "?." || before === ">") return undefined;
      if (endsOperand(scan, opener - 1)) {
        if (t.text === ")") calls = true;
        k = opener - 1;
        continue;
      }
    } else if (t.kind === "tmpl") {
      const head = t.text[0] === "`" ? k : partner[k];
      if (head === undefined || !t.text.endsWith("`")) return undefined;
      first = head;
      if (endsOperand(scan, head - 1)) return undefined; // a tagged template in the chain: left to the stack
    } else if (t.kind === "name") {
      if ((t.text === "super" || t.text === "import" || NOT_OPERAND.has(t.text)) && !isProperty(scan, k)) return undefined;
      const before = tokens[k - 1]?.text;
      if (before === "?.") return undefined;
      if (before === ".") {
        k -= 2;
        continue;
      }
    } else if (t.text === "!" && isPostfixBang(scan, k)) {
      k -= 1;
      continue;
    } else if (t.kind === "punct") {
      return undefined;
    }
    // `first` starts a primary expression; `new` before it takes the chain's first arguments
    if (tokens[first - 1]?.text === "new" && !isProperty(scan, first - 1)) {
      if (!calls || tokens[first - 2]?.text === "new") return undefined;
      return first - 1;
    }
    return first;
  }
}

/**
 * Rewrites every level-method call of `source` (see {@linkcode callerSites}) so that a logger
 * with `caller: true` gets `"<basename>:<line>"` without capturing a stack. No newline is
 * added or removed, so every line keeps its number; strings, templates, comments and regexes
 * are untouched; the receiver and the arguments are evaluated once, in their order, and the
 * method is called on the same `this` with the same arguments. The definitions of
 * `__sluiceAt` and `__sluiceArm` go on the first line (after a `#!` line and the directive
 * prologue, on the last directive's line). A source without such calls is returned as is.
 *
 * @param source A JavaScript or TypeScript module (or CommonJS file), JSX or TSX.
 * @param fileName Its path or URL: the location is its base name and the line; a name ending
 *   in `.jsx` or `.tsx` reads the source as JSX.
 * @returns The transformed source.
 * @example
 * ```ts
 * import { callerTransform } from "./transform.ts";
 * const out = callerTransform('log.info("hi", { a: 1 });\n', "/app/src/app.ts");
 * out.split("\n").length; // 2, as in the source
 * ```
 */
export function callerTransform(source: string, fileName: string): string {
  const sites = callerSites(source, /\.[jt]sx(?:[?#]|$)/.test(fileName));
  if (sites.length === 0) return source;
  // a URL's query and hash are not its name; a path's '#' is (a directory "C#"), its '?...' a bundler's query
  const base = fileName.replace(/^[a-z][a-z\d+.-]+:/i.test(fileName) ? /[?#].*$/ : /\?.*$/, "").replace(/.*[/\\]/, "");
  const wraps: Wrap[] = [];
  sites.forEach((s, i) => {
    wraps.push({ start: s.receiverStart, end: s.receiverEnd, open: "__sluiceAt(", close: `, ${i})` });
    const at = JSON.stringify(JSON.stringify(`${base}:${s.line}`));
    wraps.push({ start: s.open + 1, end: s.close, open: "...__sluiceArm([", close: `], ${i}, ${at})` });
  });
  let out = "", from = 0;
  for (const e of nestedEdits(wraps)) (out += source.slice(from, e.at) + e.text), (from = e.at);
  out += source.slice(from);
  const at = preludeOffset(out);
  return out.slice(0, at) + PRELUDE + out.slice(at);
}

/** Text put around [start, end) of a source. */
interface Wrap {
  start: number;
  end: number;
  open: string;
  close: string;
}

/**
 * The insertions of properly nested wraps, in source order. At one position: first the closes
 * of wraps that began earlier (the innermost first), then empty wraps, then the opens of wraps
 * that end later (the outermost first).
 */
function nestedEdits(wraps: Wrap[]): { at: number; text: string }[] {
  const edits: { at: number; text: string; group: number; key: number }[] = [];
  wraps.forEach((w, n) => {
    if (w.start === w.end) edits.push({ at: w.start, text: w.open + w.close, group: 1, key: n });
    else {
      edits.push({ at: w.start, text: w.open, group: 2, key: -w.end });
      edits.push({ at: w.end, text: w.close, group: 0, key: -w.start });
    }
  });
  return edits.sort((a, b) => a.at - b.at || a.group - b.group || a.key - b.key);
}

/**
 * The definitions, on one line (after a `;` that ends a directive written without one), as hoisted declarations (a call from a module that imports
 * this one in a cycle may run before this module's body): `__sluiceAt(x, i)` keeps call site
 * i's receiver and returns it; `__sluiceArm(args, i, at)` moves it and the location (JSON
 * text) into the shared slot and returns the arguments.
 */
const PRELUDE = ";var __sluiceS, __sluiceT; " +
  "function __sluiceAt(x, i) { (__sluiceT ??= [])[i] = x; return x; } " +
  "function __sluiceArm(a, i, at) { const s = __sluiceS ??= globalThis[Symbol.for(\"sluice.caller\")] ??= {}; " +
  "s.t = __sluiceT[i]; __sluiceT[i] = undefined; s.a = at; return a; }";

/**
 * Where the prelude goes: after a `#!` line and the whole directive prologue, past comments and
 * line breaks (`// license` then `"use strict";`, `"use client";` then `"use strict"`), on the
 * last directive's line: code before a directive would make it a plain string, and the file
 * sloppy (or a client component a server one).
 */
function preludeOffset(source: string): number {
  return PROLOGUE.exec(source)![0].length;
}
// a directive may be followed by a comment on its line; a comment is taken whole: a line
// comment to its line's end, a block comment to its first `*/`
// (stopping a line comment early would read the text after an apostrophe in it, as in
// `// the queue's lines'`, as a directive, and put the prelude inside the comment)
const PROLOGUE = /^\ufeff?(?:#![^\n]*(?:\n|$))?(?:(?:\s|\/\/[^\n\r\u2028\u2029]*(?![^\n\r\u2028\u2029])|\/\*(?:[^*]|\*(?!\/))*\*\/)*(?:'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")(?:[ \t]|\/\*(?:[^*\n]|\*(?!\/))*\*\/)*(?:;|(?=\/\/|\r?\n)|$))*/;
