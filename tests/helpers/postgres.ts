// A real PostgreSQL for the PostgreSQL suites: a throwaway cluster (initdb) in a temporary
// directory, run by an unprivileged user (PostgreSQL refuses to run as root), listening on a
// free loopback port with its unix socket in the same directory; stopped and removed by the
// returned function. `postgresBin` is undefined when Debian's postgresql is not installed (the
// suites then skip, or fail under CI=true).
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { createServer } from "node:net";

/** The directory holding initdb and postgres (the newest of /usr/lib/postgresql/N/bin), or undefined. */
export const postgresBin: string | undefined = (() => {
  const base = "/usr/lib/postgresql";
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base).filter((v) => existsSync(join(base, v, "bin", "initdb"))).sort((a, b) => Number(b) - Number(a));
  return versions.length ? join(base, versions[0], "bin") : undefined;
})();

/** Whether the PostgreSQL suites run; says plainly when they are skipped, throws under CI=true. */
export function postgresSuitesRun(suite: string): boolean {
  if (postgresBin !== undefined) return true;
  if (process.env.CI === "true") throw new Error(`${suite}: PostgreSQL is not installed (/usr/lib/postgresql/*/bin/initdb) and CI=true (.ci/run installs it with apt-get)`);
  console.log(`SKIPPED ${suite}: PostgreSQL is not installed (apt-get install -y postgresql to run it)`);
  return false;
}

/** A running PostgreSQL: its URL, a SIGKILL of every process of it (`down`), a restart on the same port and data (`up`), and stop. */
export interface PostgresServer {
  /** `postgres://postgres@127.0.0.1:PORT/postgres` (trust authentication on loopback). */
  url: string;
  port: number;
  /** SIGKILLs the postmaster and all its backends at once, keeping the data: a crash. */
  down(): Promise<void>;
  /** Starts it again on the same port and data; resolves once it accepts connections (after crash recovery). */
  up(): Promise<void>;
  /** The postmaster's process id. */
  pid(): number;
  /** SIGSTOPs (`"SIGSTOP"`) or SIGCONTs the postmaster and every backend: a server that stops answering. */
  signal(signal: "SIGSTOP" | "SIGCONT"): void;
  /** Runs SQL with psql as the superuser; returns its output (unaligned, tuples only). */
  psql(sql: string): string;
  stop(): Promise<void>;
}

// the unprivileged user the cluster runs as when we are root: nobody
const asRoot = process.getuid?.() === 0;
const NOBODY = 65534;
const runAs = (cmd: string[]) => (asRoot ? ["setpriv", `--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", "--", ...cmd] : cmd);

/** Makes a cluster in a fresh directory under /tmp and starts it on a free loopback port; resolves once it accepts connections. */
export async function startPostgres(): Promise<PostgresServer> {
  // under /tmp itself: the test run's TMPDIR is root's 0700 directory, which nobody cannot enter
  const dir = mkdtempSync("/tmp/sluice-pg-");
  chmodSync(dir, 0o700);
  if (asRoot) chownSync(dir, NOBODY, NOBODY);
  const data = join(dir, "data");
  const initdb = runAs([join(postgresBin!, "initdb"), "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"]);
  const init = spawnSync(initdb[0], initdb.slice(1), { encoding: "utf8" });
  if (init.status !== 0) throw new Error(`initdb failed (${init.status ?? init.signal}):\n${init.stdout}${init.stderr}`);
  const port = await freePort();
  let child: ChildProcess;
  const up = async () => {
    const cmd = runAs([join(postgresBin!, "postgres"), "-D", data, "-p", String(port), "-k", dir, "-c", "listen_addresses=127.0.0.1",
      "-c", "fsync=off", "-c", "full_page_writes=off", "-c", "max_connections=60", "-c", "shared_buffers=64MB", "-c", "logging_collector=off"]);
    child = spawn(cmd[0], cmd.slice(1), { stdio: ["ignore", "pipe", "pipe"], detached: true });
    let log = "";
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`postgres did not start in 30 s:\n${log}`)), 30_000);
      const look = (chunk: Buffer) => {
        log += chunk;
        if (/database system is ready to accept connections/.test(log)) (clearTimeout(timer), resolve());
      };
      child.stdout!.on("data", look);
      child.stderr!.on("data", look);
      child.once("exit", (code) => (clearTimeout(timer), reject(new Error(`postgres exited (${code}):\n${log}`))));
    });
  };
  const down = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    // the postmaster and every backend at once (each backend is a session of its own: a group kill would miss them)
    const backends = () => spawnSync("pgrep", ["-P", String(child.pid)], { encoding: "utf8" }).stdout.split("\n").filter(Boolean).map(Number);
    const pids = backends();
    const gone = new Promise((r) => child.once("exit", r));
    process.kill(child.pid!, "SIGKILL");
    for (const pid of pids) process.kill(pid, "SIGKILL");
    await gone;
    for (let i = 0; i < 100 && pids.some((p) => spawnSync("kill", ["-0", String(p)]).status === 0); i++) await new Promise((r) => setTimeout(r, 20));
  };
  await up();
  // a test run that ends without stop() (a timeout, a crash) leaves no server behind
  const leftover = () => {
    try {
      if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, "SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    } catch { /* gone already */ }
  };
  process.once("exit", leftover);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    down,
    up,
    pid: () => child.pid!,
    signal(signal) {
      const backends = spawnSync("pgrep", ["-P", String(child.pid)], { encoding: "utf8" }).stdout.split("\n").filter(Boolean).map(Number);
      for (const pid of [child.pid!, ...backends]) process.kill(pid, signal);
    },
    psql(sql: string) {
      const r = spawnSync(join(postgresBin!, "psql"), ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres", "-d", "postgres", "-XAtq", "-v", "ON_ERROR_STOP=1", "-c", sql], { encoding: "utf8" });
      if (r.status !== 0) throw new Error(`psql: ${r.stderr}`);
      return r.stdout.trim();
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const gone = new Promise((r) => child.once("exit", r));
        process.kill(-child.pid!, "SIGINT"); // fast shutdown: SIGTERM's smart one waits for clients
        const t = setTimeout(() => process.kill(-child.pid!, "SIGKILL"), 5000);
        await gone;
        clearTimeout(t);
      }
      rmSync(dir, { recursive: true, force: true });
      process.off("exit", leftover);
    },
  };
}

/** A free loopback port (bound, read, released). */
export async function freePort(): Promise<number> {
  return await new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}
