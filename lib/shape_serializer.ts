/**
 * Serializers that know the shape: a log call site passes the same field names every time, so
 * each shape (the field names, in order) is learned once and rendered by a function made for
 * it: keys escaped once, values rendered by type. Its output is byte for byte that of
 * {@linkcode serializeTail}; whatever it does not render itself (an `Error`, a `Map`, a
 * function, a cycle, an object with `toJSON`...) goes to `serializeTail` whole, so errors,
 * dates, bigints, cycles and `toJSON` are rendered as they always were. At most
 * {@linkcode MAX_SHAPES} shapes are learned per process; fields of any other shape take
 * `serializeTail`, so a call site whose keys change every time does not grow memory.
 *
 * Registered on Node by `adapters/server_runtimes.ts`, where it is faster than `JSON.stringify`
 * (on Bun and Deno `JSON.stringify` is the faster one). It makes functions with `new Function`,
 * which a browser or worker's CSP may refuse: the web entry keeps `serializeTail`.
 *
 * @module
 */
import { isPlain, serializeTail } from "./serialize.ts";

/** The most shapes learned in a process; fields of any other shape take `serializeTail`. */
export const MAX_SHAPES = 256;
/** A shape with more keys than this, or longer keys together, is not learned. */
const MAX_KEYS = 64;
const MAX_KEY_CHARS = 4096;

interface Shape {
  readonly keys: readonly string[];
  /** The members with a leading comma (`,"a":1`), or `undefined` when a value needs `serializeTail`. */
  readonly render: (fields: object) => string | undefined;
}

const objectProto = Object.prototype;
const dateToJSON = Date.prototype.toJSON;
/** Learned shapes by their first key (`""` for none): the candidates are checked key by key. */
const byFirstKey = new Map<string, Shape[]>();
let learned = 0;
/** The shape the last call used, for the fields themselves and for an object nested in them. */
interface LastShape {
  shape: Shape | undefined;
}
const lastFields: LastShape = { shape: undefined }, lastNested: LastShape = { shape: undefined };
/** How deep the rendering is in nested objects. */
let nesting = 0;
/** Objects nested deeper than this take one `JSON.stringify` after `isPlain`, as before. */
const MAX_NESTING = 4;

/**
 * Renders `fields` as the end of a record's line, their members and the closing brace
 * (`,"a":1,"b":"x"}`, `}` for none), exactly as {@linkcode serializeTail} does, with a function
 * specialised to the fields' shape. Never throws.
 *
 * @param fields The fields of one record.
 * @returns The members, each with a leading comma, then `}`.
 * @example
 * ```ts
 * import { shapeTail } from "./shape_serializer.ts";
 * shapeTail({ i: 1, user: "alice" }); // ',"i":1,"user":"alice"}'
 * shapeTail({ i: 2, user: "bob" }); // ',"i":2,"user":"bob"}' (the same shape: no learning)
 * ```
 */
export function shapeTail(fields: object): string {
  try {
    // a getter or a Proxy's trap that throws: serializeTail renders it as "[Throws: ...]"
    const members = typeof fields === "object" && fields !== null && Object.getPrototypeOf(fields) === objectProto ? shapeOf(fields, lastFields)?.render(fields) : undefined;
    if (members !== undefined) return members + "}";
  } catch { /* rendered below */ }
  return serializeTail(fields);
}

/**
 * How many shapes have been learned (at most {@linkcode MAX_SHAPES}).
 *
 * @returns The count.
 * @example
 * ```ts
 * import { learnedShapes } from "./shape_serializer.ts";
 * learnedShapes() <= 256; // true
 * ```
 */
export function learnedShapes(): number {
  return learned;
}

/** True when `fields`' enumerable keys (own and inherited, as `for in` sees them) are `keys`, in order. */
function sameKeys(fields: object, keys: readonly string[]): boolean {
  let i = 0;
  for (const k in fields) if (k !== keys[i++]) return false;
  return i === keys.length;
}

function findOrLearn(fields: object): Shape | undefined {
  let first = "";
  for (const k in fields) {
    first = k;
    break;
  }
  const candidates = byFirstKey.get(first);
  if (candidates !== undefined) for (const s of candidates) if (sameKeys(fields, s.keys)) return s;
  if (learned >= MAX_SHAPES) return undefined;
  const keys = Object.keys(fields);
  if (!learnable(fields, keys)) return undefined;
  let render: Shape["render"];
  try {
    render = compile(keys);
  } catch {
    learned = MAX_SHAPES; // code generation refused (node --disallow-code-generation-from-strings): serializeTail from now on
    return undefined;
  }
  const shape: Shape = { keys, render };
  learned++;
  if (candidates === undefined) byFirstKey.set(first, [shape]);
  else candidates.push(shape);
  return shape;
}

/** A shape is learned when `for in` sees only its own keys, none is a record member or `__proto__`, and it is small. */
function learnable(fields: object, keys: readonly string[]): boolean {
  if (keys.length > MAX_KEYS || !sameKeys(fields, keys)) return false;
  let chars = 0;
  for (const k of keys) {
    if (k === "time" || k === "level" || k === "msg" || k === "category" || k === "__proto__") return false;
    chars += k.length;
  }
  return chars <= MAX_KEY_CHARS;
}

/**
 * The renderer of one shape: per key, strings quoted as `JSON.stringify` does, finite numbers as
 * text, `undefined` left out, anything else through {@linkcode value}. The keys enter the
 * code only as JSON string literals.
 */
function compile(keys: readonly string[]): (fields: object) => string | undefined {
  let body = 'let s = "", v, r;\n';
  for (const k of keys) {
    const key = JSON.stringify(k), head = JSON.stringify("," + key + ":");
    body += `v = o[${key}];
if (typeof v === "string") s += ${head} + q(v);
else if (typeof v === "number") s += ${head} + (v - v === 0 ? "" + v : "null");
else if (v !== undefined) { r = value(v); if (r === undefined) return undefined; s += ${head} + r; }
`;
  }
  body += "return s;";
  return new Function("q", "value", `return function (o) {\n${body}\n}`)(quote, value);
}

/** The characters `JSON.stringify` escapes in a string: `"`, `\\`, controls, and surrogates (a lone one is escaped; a pair goes through it too). */
// deno-lint-ignore no-control-regex -- the control characters are what it looks for
const ESCAPED = /[\u0000-\u001f"\\\ud800-\udfff]/;

/** `JSON.stringify(s)` for a string, without its call for the common string that needs no escape. */
function quote(s: string): string {
  return ESCAPED.test(s) ? JSON.stringify(s) : '"' + s + '"';
}

/**
 * A value other than a string, number or `undefined`, as `JSON.stringify` renders it inside
 * the fields, or `undefined` when it takes the safe path of `serializeTail` (what `JSON.stringify`
 * cannot render the documented way, or a `toJSON` other than `Date`'s, which would be called
 * with another key).
 */
function value(v: unknown): string | undefined {
  // a bigint takes the safe path too: there, a Date's own toJSON is called without its key
  switch (typeof v) {
    case "boolean":
      return v ? "true" : "false";
    case "object": {
      if (v === null) return "null";
      const toJSON = (v as { toJSON?: unknown }).toJSON;
      if (toJSON !== undefined && toJSON !== dateToJSON) return undefined;
      // a plain object inside the fields (Fastify's `req`, `{ user: { id } }`): its shape too
      if (nesting < MAX_NESTING && Object.getPrototypeOf(v) === objectProto) {
        nesting++;
        try {
          const members = shapeOf(v, lastNested)?.render(v);
          if (members !== undefined) return members === "" ? "{}" : "{" + members.slice(1) + "}";
        } finally {
          nesting--;
        }
      }
      if (!isPlain(v, nesting + 1)) return undefined;
      try {
        return JSON.stringify(v);
      } catch {
        return undefined; // a cycle: the safe path renders it
      }
    }
  }
  return undefined;
}

/**
 * The shape of `o`: the one `last` remembers when the keys are the same, else found or learned
 * (and remembered); `undefined` when it cannot be learned. Its `render` throws what a getter throws.
 */
function shapeOf(o: object, last: LastShape): Shape | undefined {
  let shape = last.shape;
  if (shape === undefined || !sameKeys(o, shape.keys)) {
    shape = findOrLearn(o);
    if (shape !== undefined) last.shape = shape;
  }
  return shape;
}
