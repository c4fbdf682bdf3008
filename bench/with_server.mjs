// One server process for a benchmark: Bun runs `argv(port, dir)` with a fresh temporary
// directory (made ready by `setup(dir)`) and PORT and OUT in its environment; once /healthz
// answers, `fn(url, pid)` runs; then the server is stopped and the directory removed.
//   const result = await withServer((p, dir) => [cli, "serve", "--port", String(p), "--dir", dir], (url, pid) => load(url));
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("../", import.meta.url).pathname;
const bun = join(root, "node_modules/.bin/bun");
let port = 18600;

export async function withServer(argv, fn, setup = () => {}) {
  const p = port++;
  const dir = mkdtempSync(join(tmpdir(), "sluice-bench-"));
  setup(dir);
  const proc = spawn(bun, argv(p, dir), { cwd: root, stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, PORT: String(p), OUT: join(dir, "floor.ndjson") } });
  for (let i = 0; i < 100; i++) {
    try { await fetch(`http://127.0.0.1:${p}/healthz`); break; } catch { await new Promise((r) => setTimeout(r, 50)); }
  }
  try {
    return await fn(`http://127.0.0.1:${p}`, proc.pid);
  } finally {
    proc.kill("SIGTERM");
    await new Promise((r) => proc.once("exit", r));
    rmSync(dir, { recursive: true, force: true });
  }
}
