/**
 * JSX markup for the caller transform's tokenizer: the tags, attributes and text of an element
 * are skipped as one token, up to the next expression container (`{...}`, whose code is
 * tokenized as usual) or the element's end.
 *
 * @module
 */

/**
 * Where a scan of JSX markup stands: how many elements are open, and whether it is inside a
 * tag (its attributes) or among an element's children.
 *
 * @example
 * ```ts
 * import type { JsxState } from "./jsx.ts";
 * const start: JsxState = { depth: 1, inTag: true }; // just after the `<` of an element
 * ```
 */
export interface JsxState {
  depth: number;
  inTag: boolean;
}

/**
 * Whether the `<` at `at` starts a JSX element (a tag name or a fragment's `>`) rather than
 * TypeScript's `<T,>` or `<T extends U>` of a generic arrow function.
 *
 * @param source The source.
 * @param at The position of a `<` where an expression may start.
 * @returns True for JSX.
 * @example
 * ```ts
 * import { startsJsx } from "./jsx.ts";
 * startsJsx("<div>", 0); // true
 * startsJsx("<T,>(x: T) => x", 0); // false
 * ```
 */
export function startsJsx(source: string, at: number): boolean {
  const m = /^<\s*(?:>|([A-Za-z_$][\w$.:-]*)\s*(,|extends\s)?)/.exec(source.slice(at, at + 200));
  return m !== null && m[2] === undefined;
}

/**
 * Skips JSX markup from `from` in `state` (changed in place): stops after the `{` of an
 * expression container (`container: true`, `state` says where to resume after its `}`), or after
 * the outermost element's end.
 *
 * @param source The source.
 * @param from Where the markup continues.
 * @param state The scan's state.
 * @returns Where the markup stops and whether a container opens there.
 * @example
 * ```ts
 * import { skipJsx } from "./jsx.ts";
 * const state = { depth: 1, inTag: true };
 * skipJsx("<a href='x'>{y}</a>", 1, state); // { end: 13, container: true }: after the {
 * skipJsx("<a href='x'>{y}</a>", 15, state); // { end: 19, container: false }: after </a>
 * ```
 */
export function skipJsx(source: string, from: number, state: JsxState): { end: number; container: boolean } {
  let i = from;
  const n = source.length;
  while (i < n) {
    const c = source[i];
    if (c === "{") return { end: i + 1, container: true };
    if (state.inTag) {
      if (c === "/" && source[i + 1] === ">") {
        i += 2;
        state.inTag = false;
        if (--state.depth === 0) return { end: i, container: false };
      } else if (c === "/" && (source[i + 1] === "/" || source[i + 1] === "*")) {
        const e = source[i + 1] === "/" ? source.indexOf("\n", i) : source.indexOf("*/", i);
        i = e < 0 ? n : e + (source[i + 1] === "/" ? 0 : 2);
      } else if (c === '"' || c === "'") {
        const e = source.indexOf(c, i + 1);
        i = e < 0 ? n : e + 1;
      } else {
        if (c === ">") state.inTag = false;
        else if (c === "<") state.depth++;
        i++;
      }
    } else if (c === "<" && source[i + 1] === "/") {
      const e = source.indexOf(">", i);
      i = e < 0 ? n : e + 1;
      if (--state.depth === 0) return { end: i, container: false };
    } else {
      if (c === "<") (state.depth++, (state.inTag = true));
      i++;
    }
  }
  return { end: n, container: false };
}
