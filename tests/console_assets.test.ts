// The console's files: the module the collector serves them from is what the files make
// (scripts/console_assets.mjs), and its script and style stay under 50 KB gzipped.
import { expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { gzipSync } from "node:zlib";
import { CONSOLE_FILES } from "../collector/console/assets.ts";

test("collector/console/assets.ts is generated from index.html, app.js and app.css as they are", () => {
  const r = spawnSync("node", [new URL("../scripts/console_assets.mjs", import.meta.url).pathname, "--check"], { encoding: "utf8" });
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
});

test("the console's JavaScript and CSS are under 50 KB gzipped, with no remote resource", () => {
  const js = CONSOLE_FILES["/console/app.js"].body;
  const css = CONSOLE_FILES["/console/app.css"].body;
  const gz = gzipSync(js).length + gzipSync(css).length;
  expect(gz).toBeLessThan(50_000);
  for (const f of Object.values(CONSOLE_FILES)) expect(f.body).not.toMatch(/(src|href)="https?:|url\(\s*['"]?https?:|import\s.*from\s*["']https?:/);
});
