// sluice/caller's transform against TypeScript's own parser (the typescript devDependency's
// API, which runs on Node): over every source file of the repository and a seeded, bounded
// set of generated snippets (strings, templates with nested ${}, regexes, divisions, comments,
// nested and optional calls, calls the transform must leave alone), the transform rewrites
// exactly the level-method calls the AST has (less the documented exceptions), each into
// __sluiceAt(<the same receiver>, i).<method>(...__sluiceArm([<the same arguments>], i, "file:line")),
// keeps the line count, every string, template and regex literal and every comment, and its
// output still parses.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import fc from "fast-check";
import { API } from "typescript/unstable/sync";
import { createVirtualFileSystem } from "typescript/unstable/fs";
import { SyntaxKind } from "typescript/unstable/ast";
import { callerSites, callerTransform } from "../../dist/caller/transform.js";

const root = new URL("../../", import.meta.url).pathname;
const LEVELS = new Set(["trace", "debug", "info", "warn", "error", "fatal"]);
const K = SyntaxKind;

/** Parses every file at once (one TypeScript project over a virtual file system). */
function parseAll(files) {
  const fs = { "/p/tsconfig.json": JSON.stringify({ compilerOptions: { allowJs: true, noLib: true, types: [], target: "esnext" }, files: Object.keys(files) }) };
  for (const [name, text] of Object.entries(files)) fs[`/p/${name}`] = text;
  const api = new API({ fs: createVirtualFileSystem(fs), cwd: "/p" });
  try {
    const program = api.updateSnapshot({ openProject: "/p/tsconfig.json" }).getProject("/p/tsconfig.json").program;
    const out = {};
    for (const name of Object.keys(files)) {
      const sf = program.getSourceFile(`/p/${name}`);
      out[name] = { sf, errors: program.getSyntacticDiagnostics(`/p/${name}`).length, ...walk(sf, files[name]) };
    }
    return out;
  } finally {
    api.close();
  }
}

const start = (n, text) => {
  let p = n.pos;
  while (/\s/.test(text[p]) || text.startsWith("//", p) || text.startsWith("/*", p)) {
    if (text.startsWith("//", p)) p = text.indexOf("\n", p) < 0 ? text.length : text.indexOf("\n", p);
    else if (text.startsWith("/*", p)) p = text.indexOf("*/", p) + 2;
    else p++;
  }
  return p;
};

/** Output text with the transform's insertions taken out (for calls nested in a receiver or an argument). */
const untransformed = (text) =>
  text.replaceAll("__sluiceAt(", "").replaceAll("...__sluiceArm([", "").replace(/\], \d+, "\\"[\w.-]+:\d+\\""\)/g, "")
    .replace(/, \d+\)(?=(?:\s|\/\*[^]*?\*\/|\/\/[^\n]*\n)*\??\.(?:trace|debug|info|warn|error|fatal)\b)/g, "");

/** Whether the transform is documented to leave this call to the stack capture. */
function excluded(call, recv) {
  if (call.typeArguments?.length) return true;
  let r = recv;
  for (;;) {
    if (r.kind === K.PropertyAccessExpression || r.kind === K.ElementAccessExpression || r.kind === K.CallExpression || r.kind === K.NonNullExpression) {
      if (r.questionDotToken || r.typeArguments?.length) return true;
      if (r.kind === K.CallExpression && (r.expression.kind === K.ImportKeyword || r.expression.kind === K.SuperKeyword)) return true;
      r = r.expression;
      continue;
    }
    if (r.kind === K.NewExpression) return !r.arguments || !!r.typeArguments?.length;
    return ![K.Identifier, K.ThisKeyword, K.ParenthesizedExpression, K.StringLiteral, K.NumericLiteral, K.BigIntLiteral, K.NoSubstitutionTemplateLiteral,
      K.TemplateExpression, K.RegularExpressionLiteral, K.ArrayLiteralExpression, K.NullKeyword, K.TrueKeyword, K.FalseKeyword].includes(r.kind);
  }
}

/** The level-method calls the transform must rewrite, the rewritten calls, and every literal's text. */
function walk(sf, text) {
  const sites = [], rewritten = new Map(), literals = [];
  const visit = (n) => {
    if ([K.StringLiteral, K.NoSubstitutionTemplateLiteral, K.TemplateHead, K.TemplateMiddle, K.TemplateTail, K.RegularExpressionLiteral, K.JsxText].includes(n.kind)) {
      literals.push(text.slice(start(n, text), n.end));
    }
    if (n.kind === K.CallExpression && n.expression.kind === K.PropertyAccessExpression && n.expression.name.kind === K.Identifier && LEVELS.has(n.expression.name.text)) {
      const recv = n.expression.expression;
      const name = n.expression.name.end - n.expression.name.text.length;
      if (recv.kind === K.CallExpression && recv.expression.kind === K.Identifier && recv.expression.text === "__sluiceAt") {
        const [target, i] = recv.arguments;
        const arm = n.arguments[0]?.expression;
        assert.equal(n.arguments.length, 1);
        assert.equal(arm.expression.text, "__sluiceArm");
        const [array, j, at] = arm.arguments;
        assert.equal(Number(i.text), Number(j.text));
        rewritten.set(Number(i.text), {
          receiver: untransformed(text.slice(start(target, text), target.end)),
          args: array.elements.map((e) => untransformed(text.slice(start(e, text), e.end))),
          at: at.text,
        });
      } else if (recv.kind !== K.SuperKeyword && !excluded(n, recv)) {
        sites.push({
          name,
          line: sf.getLineAndCharacterOfPosition(name).line + 1,
          receiver: text.slice(start(recv, text), recv.end),
          args: n.arguments.map((e) => text.slice(start(e, text), e.end)),
        });
      }
    }
    n.forEachChild((c) => void visit(c));
  };
  visit(sf);
  return { sites: sites.sort((a, b) => a.name - b.name), rewritten, literals };
}

/** `literals` without one occurrence of each of `inserted`. */
function without(literals, inserted) {
  const rest = [...literals];
  for (const lit of inserted) {
    const i = rest.indexOf(lit);
    assert.ok(i >= 0, `inserted literal ${lit} present`);
    rest.splice(i, 1);
  }
  return rest;
}

/** Checks the transform of each file against its AST and its output's AST. */
function check(files) {
  let calls = 0;
  const outputs = Object.fromEntries(Object.entries(files).map(([name, text]) => [name.replace(/(\.\w+)$/, ".out$1"), callerTransform(text, `/src/${name}`)]));
  const parsed = parseAll({ ...files, ...outputs });
  for (const [name, text] of Object.entries(files)) {
    const outName = name.replace(/(\.\w+)$/, ".out$1");
    const src = parsed[name], out = parsed[outName], output = outputs[outName];
    const where = `${name}:\n${text}\n=>\n${output}`;
    assert.equal(src.errors, 0, `the source parses: ${where}`);
    assert.deepEqual(callerSites(text, /\.[jt]sx$/.test(name)).map((s) => s.name), src.sites.map((s) => s.name), `the calls found are the AST's: ${where}`);
    assert.equal(output.split("\n").length, text.split("\n").length, `same line count: ${where}`);
    assert.equal(out.errors, 0, `the output parses: ${where}`);
    const inserted = src.sites.map((s) => JSON.stringify(JSON.stringify(`${name}:${s.line}`)));
    if (src.sites.length > 0) inserted.unshift('"sluice.caller"');
    assert.deepEqual(without(out.literals, inserted), src.literals, `every literal kept: ${where}`);
    assert.equal(out.rewritten.size, src.sites.length, where);
    calls += src.sites.length;
    src.sites.forEach((s, i) => {
      assert.deepEqual(out.rewritten.get(i), { receiver: s.receiver, args: s.args, at: JSON.stringify(`${name}:${s.line}`) }, `call ${i}: ${where}`);
    });
  }
  return calls;
}

function sources(dir) {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : /\.(ts|mjs|js)$/.test(f) ? [p] : [];
  });
}

test("every source file of the repository: the AST's level calls are rewritten, and nothing else changes", () => {
  const files = {};
  for (const d of ["lib", "collector", "tools", "caller", "hono", "jetstream", "adapters", "tests", "bench"]) {
    for (const p of sources(join(root, d))) files[relative(root, p).replaceAll("/", "__")] = readFileSync(p, "utf8");
  }
  assert.ok(Object.keys(files).length > 100);
  assert.ok(check(files) > 100, "the repository has level calls to check");
});

// generated snippets (TypeScript, and TSX): pieces that fool a naive scanner, composed at random (seeded)
const word = fc.constantFrom("a", "log", "b1", "$x", "_y");
const receiver = fc.oneof(word, fc.constantFrom("this.log", "a.b.c", "getLog()", "arr[0]", "(x || y)", "new Foo()", "a!.b", "req.log.child({ id: 1 })", "`t`", "'s'", "/r/", "a?.[0]", "cb?.()", "a?.b", "f<T>(x)", "new Map<K, V>()", "tag`t${1}`", "import.meta", "[1, 2]"));
const level = fc.constantFrom(...LEVELS);
const leaf = fc.oneof(
  word,
  fc.constantFrom("'it\\'s log.info(x)'", '"a // not a comment"', '"/* nor this */"', "`back\\`tick`", "/[/]\\/log.info(/g", "a / b / c", "x++ / 2", "1e-3",
    "{ a: 1, b: [1, 2] }", "(a) => a / 2", "/* c1 log.warn(z) */ q", "n!", "`${'}'}`", "0x1f", ".5", "'é'", "a?.b", "a?.[0]", "cb?.()"),
);
const expr = fc.letrec((tie) => ({
  e: fc.oneof({ depthSize: "small", withCrossShrink: true }, leaf, tie("call"), tie("tmpl"), tie("other")),
  args: fc.array(tie("e"), { maxLength: 3 }).chain((xs) => fc.tuple(fc.constant(xs), fc.constantFrom("", ",", " /* c2 */", "\n"), fc.boolean())),
  call: fc.tuple(receiver, fc.constantFrom(".", "?."), level, fc.constantFrom("(", "?.("), tie("args")).map(([r, dot, l, open, [xs, tail, spread]]) =>
    `${r}${dot}${l}${open}${xs.join(", ")}${spread && xs.length ? ", ...rest" : ""}${xs.length ? tail : ""})`),
  other: fc.tuple(fc.constantFrom("console.log", "map.get", "x['info']", "a?.b.info", "import.meta.warn"), tie("args")).map(([f, [xs]]) => `${f}(${xs.join(", ")})`),
  tmpl: fc.array(tie("e"), { maxLength: 2 }).map((xs) => "`x" + xs.map((x) => "${" + x + "}// /*").join("y") + "`"),
}));
const statement = fc.oneof(
  expr.e.map((e) => `${e};`),
  expr.e.map((e) => `if (ok) /re\\/x/.test(${e});`),
  expr.e.map((e) => `// c3 ${e.replaceAll("\n", " ")}\nreturn ${e};`),
  expr.e.map((e) => `const v = ${e} / 2 /* c4 */;`),
  expr.e.map((e) => `class C extends B { m() { super.info(${e}); } }`),
);
const program = fc.array(statement, { minLength: 1, maxLength: 6 }).map((ss) => `function f() {\n${ss.join("\n")}\n}\n`);
// TSX: markup whose text and attributes look like code, with level calls in its {...}
const element = fc.letrec((tie) => ({
  el: fc.oneof({ depthSize: "small" },
    fc.tuple(expr.e, expr.e).map(([a, b]) => `<div title="it's log.info(x)" data-x={${a}}>it's {${b}} // /* text\n</div>`),
    fc.tuple(expr.e, tie("el")).map(([a, c]) => `<>{${a}}{/* c5 */}<Foo.Bar {...p} a='b' />${c}</>`),
    expr.e.map((a) => `<ul>{items.map((i) => <li key={i}>{${a}}</li>)}</ul>`)),
}));
const tsx = fc.array(fc.oneof(statement, element.el.map((e) => `const el = ${e};`)), { minLength: 1, maxLength: 5 })
  .map((ss) => `function f() {\n${ss.join("\n")}\n}\nconst g = <T,>(x: T) => log.info(x);\n`);

test("generated snippets (seeded): the AST's level calls are rewritten, comments and literals kept, the output parses", () => {
  const samples = fc.sample(program, { seed: 1307, numRuns: 300 });
  const jsx = fc.sample(tsx, { seed: 1308, numRuns: 150 });
  const files = Object.fromEntries([...samples.map((s, i) => [`gen${i}.ts`, s]), ...jsx.map((s, i) => [`jsx${i}.tsx`, s])]);
  const calls = check(files);
  assert.ok(calls > 300, `${calls} level calls checked`);
  console.log(`${calls} level calls checked`);
  for (const [name, s] of Object.entries(files)) {
    const out = callerTransform(s, name);
    for (const c of s.match(/\/\* c\d[^*]*\*\/|\/\/ c\d[^\n]*/g) ?? []) assert.ok(out.includes(c), `comment kept: ${c}`);
  }
});
