// The layout's import rules: lib/ is the runtime-neutral library and imports nothing outside
// itself (no adapters/, collector/, tools/, no runtime globals, no top-level node: import);
// adapters/ are runtime drivers and never import the collector or the tools.
import { expect, test } from "bun:test";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";

const root = resolve(import.meta.dir, "..");
function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? tsFiles(path) : path.endsWith(".ts") ? [path] : [];
  });
}
const importSpec = /(?:^|\n)\s*(?:import|export)[^;'"]*?from\s*["']([^"']+)["']/g;
function imports(file: string): string[] {
  return [...readFileSync(file, "utf8").matchAll(importSpec)].map((m) => m[1]!);
}

test("lib/ imports nothing from outside lib/ and no runtime module", () => {
  const outside: string[] = [];
  for (const file of tsFiles(join(root, "lib"))) {
    for (const spec of imports(file)) {
      const leaves = spec.startsWith(".") && !resolve(file, "..", spec).startsWith(join(root, "lib") + "/");
      if (leaves || spec.startsWith("node:") || !spec.startsWith(".")) outside.push(`${relative(root, file)} → ${spec}`);
    }
    const code = readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, "");
    if (/\b(Deno|Bun)\.[a-zA-Z]/.test(code)) outside.push(`${relative(root, file)} touches a runtime global`);
  }
  expect(outside).toEqual([]);
});

test("adapters/ import only lib/ and each other", () => {
  const wrong: string[] = [];
  for (const file of tsFiles(join(root, "adapters"))) {
    for (const spec of imports(file)) {
      if (!spec.startsWith(".")) continue;
      const target = relative(root, resolve(file, "..", spec));
      if (!target.startsWith("lib/") && !target.startsWith("adapters/")) wrong.push(`${relative(root, file)} → ${target}`);
    }
  }
  expect(wrong).toEqual([]);
});
