// `sluice serve` as a child process on Bun, Deno or Node: started on a free port, its URL read
// from the banner.
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";

const root = new URL("../..", import.meta.url).pathname;
const bin = join(root, "node_modules/.bin");

/** The command that runs `cli.ts` on each runtime (Node runs the built dist/cli.js). */
export const serveRuntimes: [name: string, cmd: string[]][] = [
  ["bun", [join(bin, "bun"), join(root, "cli.ts")]],
  ["deno", [join(bin, "deno"), "run", "-A", "--config", join(root, "deno.json"), join(root, "cli.ts")]],
  ["node", [process.execPath.includes("bun") ? "node" : process.execPath, join(root, "dist/cli.js")]],
];

/** A running collector; `output()` is what it printed so far. */
export interface ServeProcess {
  proc: ChildProcess;
  url: string;
  output(): string;
}

/** Starts `cmd serve --port 0 --dir dir ...args`; resolves once it listens. */
export function startServe(cmd: string[], dir: string, args: string[] = [], env: Record<string, string> = {}): Promise<ServeProcess> {
  const proc = spawn(cmd[0], [...cmd.slice(1), "serve", "--port", "0", "--dir", dir, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env },
  });
  let out = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner: ${out}`)), 20_000);
    proc.stdout!.on("data", (d) => {
      out += d;
      const m = /listening on (http:\/\/[^,\s]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, url: m[1], output: () => out });
      }
    });
    proc.stderr!.on("data", (d) => (out += d));
    proc.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`exited ${code}: ${out}`));
    });
  });
}

/** Resolves with the exit code (or signal) once the process has exited. */
export function exited(p: ChildProcess): Promise<number | string | null> {
  return new Promise((r) => (p.exitCode !== null || p.signalCode !== null ? r(p.exitCode ?? p.signalCode) : p.once("exit", (c, s) => r(c ?? s))));
}
