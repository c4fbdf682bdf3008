/**
 * The names each token has brought into being (producer names, categories), kept in
 * `<dir>/.sluice/token-names` so that a restart does not reset the per-token caps.
 *
 * @module
 */
import type { FileDriver, Runtime } from "../lib/runtime/runtime.ts";

/** What a name is: a producer name (`P`) or a category (`C`). */
export type NameKind = "P" | "C";

/** A file larger than this is not read (it cannot have been written within the caps): it is rebuilt empty. */
const MAX_FILE_BYTES = 64 << 20;

/**
 * The longest category a token may make, in UTF-16 units: a token's categories are kept (up to
 * its cap, for the collector's life, and in this file), so their size is bounded, not only their
 * number. Longer ones go to the overflow category (collector/identity.ts); longer names
 * in a file an older collector wrote are skipped when it is read.
 *
 * @example
 * ```ts
 * import { MAX_CATEGORY_LENGTH } from "./token_names.ts";
 * "billing.invoices".length <= MAX_CATEGORY_LENGTH; // true
 * ```
 */
export const MAX_CATEGORY_LENGTH = 256;

/**
 * Producer names and categories per token, in memory and, with a file, on disk: one line per
 * name as it is first admitted (`P <token> <name>` or `C <token> <name>`, URI-encoded), appended
 * synchronously. At start the file is read back (at most `cap(kind, token)` names per token and
 * kind, so a token no longer configured, with a cap of 0, is dropped; a line that does not parse,
 * or a last line without its newline, is skipped) and
 * rewritten from what was kept, so a truncated or garbage file is rebuilt, never a crash. A
 * failed append keeps the name in memory and rewrites the whole file at the next new name.
 *
 * @example
 * ```ts
 * import { TokenNames } from "./token_names.ts";
 * const names = new TokenNames("./logs/.sluice/token-names", runtime, () => 1000);
 * if (!names.has("P", "edge", "edge-7") && names.count("P", "edge") < 1000) names.add("P", "edge", "edge-7");
 * ```
 */
export class TokenNames {
  readonly #path: string | undefined;
  readonly #runtime: Runtime | undefined;
  readonly #sets = { P: new Map<string, Set<string>>(), C: new Map<string, Set<string>>() };
  #file: FileDriver | undefined;
  /** Set when an append failed: the file is rewritten whole at the next new name. */
  #stale = false;
  /** Lines of the file at start that were skipped (did not parse, or past a cap). */
  readonly skipped: number = 0;

  /**
   * @param path The file, or undefined to keep the names in memory only.
   * @param runtime Files (`openFile`, `fs`); without them the names are kept in memory only.
   * @param cap The most names of a kind kept per token when the file is read back.
   */
  constructor(path: string | undefined, runtime: Runtime | undefined, cap: (kind: NameKind, token: string) => number) {
    const usable = path !== undefined && runtime?.openFile !== undefined && runtime.fs !== undefined;
    this.#path = usable ? path : undefined;
    this.#runtime = runtime;
    if (this.#path === undefined) return;
    let text = "";
    try {
      const size = runtime!.fs!.stat(this.#path)?.size ?? 0;
      if (size <= MAX_FILE_BYTES) text = runtime!.fs!.readText(this.#path) ?? "";
    } catch { /* unreadable (not UTF-8, a directory, ...): rebuilt empty */ }
    const lines = text.split("\n");
    lines.pop(); // "" after the last newline, or a torn last line
    let skipped = 0;
    for (const line of lines) {
      const parsed = parseLine(line);
      if (parsed === undefined || (parsed[0] === "C" && parsed[2].length > MAX_CATEGORY_LENGTH) || (!this.has(...parsed) && this.count(parsed[0], parsed[1]) >= cap(parsed[0], parsed[1]))) skipped++;
      else this.#set(parsed[0], parsed[1]).add(parsed[2]);
    }
    this.skipped = skipped;
    try {
      this.#rewrite();
    } catch {
      this.#stale = true; // a full disk at start: tried again at the next new name
    }
  }

  /** True when `token` has used `name` of `kind` before. */
  has(kind: NameKind, token: string, name: string): boolean {
    return this.#sets[kind].get(token)?.has(name) === true;
  }

  /** How many names of `kind` `token` has used. */
  count(kind: NameKind, token: string): number {
    return this.#sets[kind].get(token)?.size ?? 0;
  }

  /** Remembers a new name, on disk too (a failed write is retried as a rewrite at the next one). */
  add(kind: NameKind, token: string, name: string): void {
    this.#set(kind, token).add(name);
    if (this.#path === undefined) return;
    try {
      if (this.#stale || this.#file === undefined) this.#rewrite();
      else this.#file.write(lineOf(kind, token, name));
    } catch {
      this.#stale = true;
      this.close();
    }
  }

  /** Closes the file; the next new name reopens it by rewriting it from memory. */
  close(): void {
    const f = this.#file;
    this.#file = undefined;
    try {
      f?.close();
    } catch { /* written through: nothing buffered to lose */ }
  }

  #set(kind: NameKind, token: string): Set<string> {
    const map = this.#sets[kind];
    let set = map.get(token);
    if (set === undefined) map.set(token, (set = new Set()));
    return set;
  }

  /** Writes every name to a new file and renames it over the old one, then appends to it. */
  #rewrite(): void {
    this.close();
    const runtime = this.#runtime!;
    const tmp = this.#path + ".tmp";
    runtime.fs!.remove(tmp);
    const f = runtime.openFile!(tmp);
    try {
      let text = "";
      for (const kind of ["P", "C"] as const) {
        for (const [token, set] of this.#sets[kind]) for (const name of set) text += lineOf(kind, token, name);
      }
      if (text !== "") f.write(text);
    } finally {
      f.close();
    }
    runtime.fs!.rename(tmp, this.#path!);
    this.#file = runtime.openFile!(this.#path!);
    this.#stale = false;
  }
}

const lineOf = (kind: NameKind, token: string, name: string) => `${kind} ${encodeURIComponent(token)} ${encodeURIComponent(name)}\n`;

/** A line's kind, token and name, or undefined when it is not one. */
function parseLine(line: string): [NameKind, string, string] | undefined {
  const m = /^([PC]) ([\w.!~*'()%-]+) ([\w.!~*'()%-]+)$/.exec(line); // what encodeURIComponent writes
  if (m === null) return undefined;
  try {
    return [m[1] as NameKind, decodeURIComponent(m[2]), decodeURIComponent(m[3])];
  } catch {
    return undefined; // a bad %-escape
  }
}
