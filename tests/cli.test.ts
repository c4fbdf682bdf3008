// The `sluice` command as a new user meets it: help everywhere, --version, one-line errors
// that name the flag, a port in use, a failed start that leaves nothing behind, `sluice token`,
// and a live progress line for `sluice load` on a terminal only.
import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VERSION } from "../tools/version.ts";

const cli = new URL("../cli.ts", import.meta.url).pathname;
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", timeout: 20_000 });
const temp = () => mkdtempSync(join(tmpdir(), "sluice-cli-"));

describe("help and version", () => {
  for (const command of ["serve", "load", "tail", "token"]) {
    test(`${command} --help and -h print its flags and exit 0`, () => {
      for (const flag of ["--help", "-h"]) {
        const r = run(command, flag);
        expect(r.status).toBe(0);
        expect(r.stdout).toContain(`usage: sluice ${command}`);
        expect(r.stdout).toContain("-h, --help");
        expect(r.stderr).toBe("");
      }
    });
  }

  test("sluice --help lists the commands; --version matches package.json and deno.json", () => {
    const h = run("--help");
    expect(h.status).toBe(0);
    for (const c of ["serve", "load", "tail", "token"]) expect(h.stdout).toContain(`  ${c} `);
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).version;
    const deno = JSON.parse(readFileSync(new URL("../deno.json", import.meta.url), "utf8")).version;
    expect([VERSION, deno]).toEqual([pkg, pkg]);
    for (const flag of ["--version", "-V"]) expect(run(flag).stdout.trim()).toBe(pkg);
  });
});

describe("user errors are one line that names the flag, with a non-zero exit and no stack", () => {
  const cases: [string[], RegExp][] = [
    [["serve", "--bogus"], /^sluice serve: unknown flag --bogus \(see sluice serve --help\)$/],
    [["serve", "--port", "abc"], /^sluice serve: --port must be a whole number from 0 to 65535, got "abc"$/],
    [["serve", "--port", "99999"], /^sluice serve: --port must be a whole number from 0 to 65535, got "99999"$/],
    [["serve", "--port"], /^sluice serve: --port needs a value/],
    [["serve", "--tokens", "/nonexistent/tokens"], /^sluice serve: cannot read --tokens \/nonexistent\/tokens/],
    [["load", "--max-bytes", "1000"], /^sluice load: --max-bytes was renamed; use --rotation-max-bytes \(see sluice load --help\)$/],
    [["load", "--duration", "10"], /^sluice load: --duration: bad duration "10"; use a number with a unit/],
    [["tail", "--lines", "-3"], /^sluice tail: /],
    [["token", "--dir", "/nonexistent/dir"], /^sluice token: .*does not exist/],
  ];
  for (const [args, message] of cases) {
    test(args.join(" "), () => {
      const r = run(...args);
      expect(r.status).toBe(1);
      const lines = r.stderr.trim().split("\n");
      expect(lines.length).toBe(1);
      expect(lines[0]).toMatch(message);
    });
  }
});

describe("sluice serve start-up", () => {
  test("a port in use is a clear one-line error, and the failed first start creates no token file", async () => {
    const holder = createServer();
    await new Promise<void>((r) => holder.listen(0, "127.0.0.1", r));
    const port = (holder.address() as { port: number }).port;
    try {
      const dir = temp();
      const r = run("serve", "--port", String(port), "--dir", dir);
      expect(r.status).toBe(1);
      expect(r.stderr.trim()).toBe(`sluice serve: port ${port} on 127.0.0.1 is in use; stop what holds it, or pick another with --port (0 picks a free one)`);
      expect(existsSync(join(dir, ".sluice", "tokens"))).toBe(false);
    } finally {
      holder.close();
    }
  });
});

describe("sluice token", () => {
  test("shows the generated token and rotates it, keeping the other tokens", () => {
    const dir = temp();
    expect(run("token", "--dir", dir).status).toBe(1); // none yet
    const made = run("token", "--dir", dir, "--rotate");
    expect(made.status).toBe(0);
    const first = /: ([0-9a-f]{32})$/.exec(made.stdout.trim())![1];
    expect(run("token", "--dir", dir).stdout.trim()).toBe(`default: ${first}`);
    const file = join(dir, ".sluice", "tokens");
    Bun.write(file, readFileSync(file, "utf8") + "ci:other:producers=ci-*\n");
    const second = /: ([0-9a-f]{32})$/.exec(run("token", "--dir", dir, "--rotate").stdout.trim())![1];
    expect(second).not.toBe(first);
    expect(run("token", "--dir", dir).stdout.trim().split("\n")).toEqual([`default: ${second}`, "ci: other"]);
    expect(readFileSync(file, "utf8")).toContain("ci:other:producers=ci-*");
  });
});

describe("sluice load progress", () => {
  const load = ["load", "--events", "a=200", "--duration", "1500ms"];
  test("on a terminal, a live line updated a few times a second; cleared before the report", () => {
    const dir = temp();
    // `script` gives the command a pseudo-terminal
    const r = spawnSync("script", ["-qec", [process.execPath, cli, ...load, "--dir", dir].join(" "), "/dev/null"], { encoding: "utf8", timeout: 20_000 });
    expect(r.status).toBe(0);
    const updates = r.stdout.split("\r").filter((s) => s.startsWith("sluice load  "));
    expect(updates.length).toBeGreaterThanOrEqual(3);
    expect(updates.at(-1)).toMatch(/^sluice load {2}[\d.]+\/1\.5 s {2}\d+ rec\/s {2}written \d+ {2}drops 0 {2}flush p99 [\d.]+ ms/);
    expect(r.stdout).toContain("sluice load: ");
  });

  test("not on a terminal, or with --json: nothing but the report", () => {
    const plain = run(...load, "--dir", temp());
    expect(plain.status).toBe(0);
    expect(plain.stdout).not.toContain("\r");
    const json = spawnSync("script", ["-qec", [process.execPath, cli, ...load, "--dir", temp(), "--json"].join(" "), "/dev/null"], { encoding: "utf8", timeout: 20_000 });
    expect(json.stdout).not.toContain("rec/s  written");
    expect(JSON.parse(json.stdout.trim().split("\n").at(-1)!).written).toBeGreaterThan(0);
  });
});
