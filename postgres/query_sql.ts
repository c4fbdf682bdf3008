/**
 * The query language's tree as a SQL condition over sluice's table, with every value bound as a
 * parameter: the statement's text depends only on the tree's shape (which kinds of node, how
 * many), never on a word, field name or value in the query.
 *
 * What each node means is the file matcher's (lib/query/match.ts), with two differences said
 * in the README: values are compared ignoring case with PostgreSQL's `lower()` under the
 * database's collation (with a `C` collation only ASCII letters fold), and a number is compared
 * by its text as `jsonb` keeps it (`1.50` stays `1.50`, `1e3` becomes `1000`).
 *
 * @module
 */
import { LEVEL_VALUES } from "../lib/levels.ts";
import type { QueryNode } from "../lib/query/ast.ts";
import { storedText as stored } from "./rows.ts";

/**
 * A condition and its parameters, numbered from `$1` in the order of `params`.
 *
 * @example
 * ```ts
 * import { querySql } from "./query_sql.ts";
 * import { parseQuery } from "../lib/query/parse.ts";
 * querySql(parseQuery("ms:>250")).params; // ["strict $.\"ms\"", 250]
 * ```
 */
export interface SqlCondition {
  /** The condition, such as `(... > $1)`. */
  sql: string;
  /** The values of its parameters. */
  params: (string | number)[];
}

/** A level column's severity, as the levels table has it. */
export const LEVEL_SEVERITY = `(case level ${Object.entries(LEVEL_VALUES).map(([name, n]) => `when '${name}' then ${n}`).join(" ")} end)`;

// the scalar text of a jsonb value, as the file matcher's scalarText (null as "null"; objects and arrays none)
const scalarText = (v: string) => `(case jsonb_typeof(${v}) when 'string' then ${v} #>> '{}' when 'number' then ${v} #>> '{}' when 'boolean' then ${v} #>> '{}' when 'null' then 'null' end)`;

/**
 * Translates a query tree into a condition on the table's columns (`record`, `level`).
 *
 * @param node The tree from `parseQuery` (a compiled query's `node`).
 * @param params Parameters already used by the statement around it (the condition's are appended).
 * @returns The condition and the parameters.
 * @example
 * ```ts
 * import { querySql } from "./query_sql.ts";
 * import { parseQuery } from "../lib/query/parse.ts";
 * querySql(parseQuery("level:>=warn")).sql; // "(case level when 'trace' then 10 ... end >= $1)"
 * ```
 */
export function querySql(node: QueryNode, params: (string | number)[] = []): SqlCondition {
  const bind = (v: string | number) => (params.push(v), `$${params.length}`);
  // the value at a field path: strict, so arrays are not entered and a missing member is NULL, never an error
  const at = (path: readonly string[]) => `jsonb_path_query_first(record, ${bind("strict $" + path.map((k) => "." + JSON.stringify(stored(k))).join(""))}::jsonpath, '{}', true)`;
  const walk = (n: QueryNode): string => {
    switch (n.kind) {
      case "all":
        return "true";
      case "text":
        return `exists (select 1 from jsonb_path_query(record, 'strict $.**') v where strpos(lower(${scalarText("v")}), ${bind(stored(n.text).toLowerCase())}) > 0)`;
      case "field": {
        if (n.op === "exists") return `(${at(n.path)} is not null)`;
        const v = `_v`;
        if (n.op === "prefix") return `(select starts_with(lower(${scalarText(v)}), ${bind(stored(n.value).toLowerCase())}) from (select ${at(n.path)} as ${v}) x) is true`;
        const text = `lower(${scalarText(v)}) = ${bind(stored(n.value).toLowerCase())}`;
        const num = n.number === undefined ? "" : ` or (case when jsonb_typeof(${v}) = 'number' then (${v})::numeric = ${bind(n.number)}::numeric else false end)`;
        return `(select (${text}${num}) from (select ${at(n.path)} as ${v}) x) is true`;
      }
      case "compare":
        // a value that is not a JSON number does not match, and is never cast
        return `(select case when jsonb_typeof(_v) = 'number' then (_v)::numeric ${n.op} ${bind(n.value)}::numeric else false end from (select ${at(n.path)} as _v) x)`;
      case "level":
        return `(${LEVEL_SEVERITY} ${n.op} ${bind(LEVEL_VALUES[n.level])})`;
      case "not":
        return `(not coalesce(${walk(n.node)}, false))`;
      case "and":
        return `(${n.nodes.map(walk).join(" and ")})`;
      case "or":
        return `(${n.nodes.map(walk).join(" or ")})`;
    }
  };
  return { sql: walk(node), params };
}
