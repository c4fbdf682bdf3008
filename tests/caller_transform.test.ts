// sluice/caller's transform on Bun: the run-time scenario (tests/scenarios/caller_transform.mjs,
// also run on Deno and Node), and what the transform leaves alone. The TypeScript-parser fuzz is
// tests/node/caller_fuzz.test.mjs (the typescript package's API runs on Node).
import { expect, test } from "bun:test";
import * as sluice from "../mod.ts";
import { callerTransform } from "../caller.ts";
import { callerSites } from "../caller/transform.ts";
import { callerTransformScenario } from "./scenarios/caller_transform.mjs";

test("transformed code: exact lines without a stack capture; other receivers, nested calls, throws, disabled levels and untransformed calls unaffected", async () => {
  await callerTransformScenario(sluice, callerTransform);
});

test("calls left to the stack capture: super, computed names, optional chains inside the receiver, type arguments, new", () => {
  const left = [
    "class A extends B { m() { super.info(1); } }",
    'log["info"](1);',
    "a?.b.info(1); a?.[0].warn(1); f?.().error(1);",
    "log.info<string>(1); f<T>(x).info(1);",
    "new Foo.info(1); import.meta.info(1); import('x').info(1);",
    "`log.info(1)`; 'log.info(1)'; /log.info(1)/; // log.info(1)\n/* log.info(1) */",
  ];
  for (const source of left) {
    expect(callerSites(source)).toEqual([]);
    expect(callerTransform(source, "a.ts")).toBe(source);
  }
});

test("the definitions go on the first line, after a #! line or a directive, and no line is added", () => {
  const shebang = callerTransform("#!/usr/bin/env node\nlog.info(1);\n", "cli.js").split("\n");
  expect(shebang[0]).toBe("#!/usr/bin/env node");
  expect(shebang[1]).toStartWith(";var __sluiceS");
  expect(shebang).toHaveLength(3);
  const directive = callerTransform("'use strict'\nlog.info(1);", "a.js");
  expect(directive).toStartWith("'use strict';var __sluiceS");
  expect(callerTransform("x = 1;\n\nlog\n  .warn(1);", "/a/b.ts")).toContain('"\\"b.ts:4\\""');
});

test("the definitions go after the whole directive prologue (past comments, line breaks and a #! line): a strict file stays strict, \"use client\" stays a directive", () => {
  const body = "\nlog.info(1);\nreturn (function () { return this; })() === undefined;";
  for (const head of ['"use strict";', "// license\n'use strict';", '/* a */ "use client";\n"use strict"', "/**\n * doc\n */\n\n  'use strict'\t;", "'use strict' // it's strict", "'use strict' /* c */", '"use client" // c\n"use strict"']) {
    const out = callerTransform(head + body, "a.js");
    expect(out.split("\n")).toHaveLength((head + body).split("\n").length);
    expect(out).toContain('"\\"a.js:' + (head.split("\n").length + 1));
    expect([head, new Function("log", out)({ info() {} })]).toEqual([head, true]); // strict: `this` is undefined
  }
  expect(callerTransform('#!/usr/bin/env node\n"use strict";\nlog.info(1);', "cli.js").split("\n")[1]).toStartWith('"use strict";;var __sluiceS');
  const client = callerTransform('// (c) us\n"use client";\nlog.info(1);', "a.js");
  expect(client.indexOf('"use client"')).toBeLessThan(client.indexOf("var __sluiceS"));
  expect(callerTransform('"not a directive".length;\nlog.info(1);', "a.js")).toStartWith(";var __sluiceS");
});

test("a comment before the code is taken whole: quotes inside it are no directive, and the definitions never land in it", () => {
  for (const head of ["// the queue's lines'", "// it's the 'x'", "/* it's */ /* 'y' */", "/* a */ call(); /* 'b' */"]) {
    const out = callerTransform(head + "\nlog.info(1);", "a.js");
    expect([head, out.split("\n").length]).toEqual([head, 2]);
    expect([head, out.startsWith(";var __sluiceS")]).toEqual([head, true]); // no directive: at the start
    expect(() => new Function("log", "call", out)({ info() {} }, () => {})).not.toThrow(); // defined, not commented out
  }
});

test("the location names the file: a path's directory may hold '#' (C#), a bundler's ?query and a URL's ?query and #hash are left out", () => {
  const at = (name: string) => /__sluiceArm\(\[1\], 0, "\\"(.*?)\\""\)/.exec(callerTransform("log.info(1);", name))?.[1];
  expect(at("/home/u/C#/app/x.js")).toBe("x.js:1");
  expect(at("/app/x.ts?v=3")).toBe("x.ts:1");
  expect(at("file:///app/x.mjs?v=2#h")).toBe("x.mjs:1");
  expect(at("C:\\app\\x.js")).toBe("x.js:1");
});

test("JSX and TSX (by file name): markup that looks like code is left alone, calls in {...} are rewritten, the output compiles", () => {
  const source = `const A = () => <p title="it's log.info(x)">it's log.warn(y) {log.info("in")}</p>;\nconst g = <T,>(x: T) => log.error(x);\n`;
  const out = callerTransform(source, "/app/view.tsx");
  expect(callerSites(source, true).map((s) => s.line)).toEqual([1, 2]);
  expect(out).toContain(`<p title="it's log.info(x)">it's log.warn(y) {__sluiceAt(log, 0).info(`);
  expect(out.split("\n")).toHaveLength(3);
  expect(() => new Bun.Transpiler({ loader: "tsx" }).transformSync(out)).not.toThrow();
  expect(callerTransform(source, "/app/view.ts")).not.toContain("__sluiceAt(log, 0).info("); // as TypeScript it is not JSX
});
