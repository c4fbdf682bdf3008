// `durable` keeps a file's name as it keeps its data: on Bun, Deno and Node, traced with strace,
// each file a durable sink or `sluice serve --durable` creates, each directory made for one, and
// each rename (a rotation, the key journal's compaction, a batch httpSink spools), is followed by
// an fsync of its directory
// before the flush after it resolves, the request is answered or the process ends (without it a
// power cut can lose a whole new file whose data was fsynced, or undo a rename).
import { afterAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { exited, serveRuntimes, startServe } from "./helpers/serve_process.ts";
import { fixtureRuntimes } from "./helpers/fixture_runtimes.ts";

const root = new URL("..", import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), "sluice-durable-dir-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const strace = spawnSync("strace", ["-V"]).status === 0;
if (!strace) {
  if (process.env.CI === "true") throw new Error("strace is not installed: .ci/run installs it");
  console.warn("skipping tests/durable_dir.test.ts: strace is not installed");
}
/** strace, a file per thread (no call split by another thread's), times in µs to merge them, descriptors shown as their paths. */
const traced = (prefix: string, more = "") => ["strace", "-ff", "-ttt", "-y", "-qq", "-e", `trace=openat,open,fsync,rename,renameat,renameat2${more}`, "-o", prefix];

/** The lines of every thread's trace (`<prefix>.<tid>`), in time order. */
function traceLines(prefix: string): string[] {
  const base = prefix.slice(prefix.lastIndexOf("/") + 1) + ".";
  const lines: [number, number, string][] = [];
  for (const f of readdirSync(work).filter((n) => n.startsWith(base))) {
    for (const line of readFileSync(join(work, f), "utf8").split("\n")) if (line) lines.push([parseFloat(line), lines.length, line]);
  }
  return lines.sort((a, b) => a[0] - b[0] || a[1] - b[1]).map(([, , line]) => line);
}

/**
 * Reads a trace: each file created under one of `dirs` (opened with O_CREAT the first time) or
 * renamed into one, that `matters`, must be followed by an fsync of that directory before the
 * next line that `isMark` picks (the end of a flush, an answer). Returns the marks seen.
 */
function checkTrace(prefix: string, dirs: string[], isMark: (line: string) => boolean, matters: (path: string) => boolean = () => true): number {
  const dirOf = (path: string) => matters(path) ? dirs.find((d) => path.startsWith(d + "/") && !path.slice(d.length + 1).includes("/")) : undefined;
  const changed = new Set<string>(); // directories changed since their last fsync
  const existing = new Set<string>(); // files made or renamed into place already: opened again, they are not new
  let marks = 0;
  for (const line of traceLines(prefix)) {
    const open = line.match(/open(?:at)?\((?:AT_FDCWD, )?"([^"]+)", ([A-Z_|]+)[^)]*\)\s+= \d+/);
    if (open && open[2].includes("O_CREAT") && !existing.has(open[1]) && dirOf(open[1])) changed.add(dirOf(open[1])!);
    if (open) existing.add(open[1]);
    // a directory made in one of them (traced when `mkdir,mkdirat` are)
    const made = line.match(/mkdir(?:at)?\((?:AT_FDCWD, )?"([^"]+)"[^)]*\)\s+= 0/);
    if (made && dirOf(made[1])) changed.add(dirOf(made[1])!);
    const rename = line.match(/rename(?:at2?)?\((?:AT_FDCWD, )?"([^"]+)", (?:AT_FDCWD, )?"([^"]+)"[^)]*\)\s+= 0/);
    if (rename && dirOf(rename[2])) changed.add(dirOf(rename[2])!);
    if (rename) existing.delete(rename[1]), existing.add(rename[2]);
    const sync = line.match(/fsync\(\d+<([^>]*)>\)\s+= 0/);
    if (sync) changed.delete(sync[1]);
    if (isMark(line)) {
      expect([...changed], `before ${line}: a change in these directories not fsynced`).toEqual([]);
      marks++;
    }
  }
  return marks;
}

const runtimes = fixtureRuntimes("tests/fixtures/durable_dir.mjs");

describe.skipIf(!strace)("durable: the directory", () => {
  for (const [name, cmd, mod] of runtimes) {
    test(`${name}: a durable sink's new file and each rotation are followed by the directory's fsync before the flush resolves`, () => {
      const dir = join(work, `${name}-logs`), marks = join(work, `${name}-marks`), trace = join(work, `${name}.trace`);
      mkdirSync(dir);
      mkdirSync(marks);
      const [tracer, ...args] = traced(trace);
      const r = spawnSync(tracer, [...args, ...cmd], { encoding: "utf8", env: { ...process.env, MOD: mod, DIR: dir, MARKS: marks }, timeout: 60_000 });
      expect(r.status, r.stderr).toBe(0);
      expect(checkTrace(trace, [dir], (line) => line.includes(`"${marks}/flushed-`))).toBe(3);
    });
  }

  for (const [name, cmd, mod] of runtimes) {
    test(`${name}: the directories a durable sink makes for its file keep their names too: each is followed by its parent's fsync before the first flush resolves`, () => {
      const top = join(work, `${name}-nested`), dir = join(top, "a", "b"), marks = join(work, `${name}-nested-marks`), trace = join(work, `${name}-nested.trace`);
      mkdirSync(top);
      mkdirSync(marks);
      const [tracer, ...args] = traced(trace, ",mkdir,mkdirat");
      const r = spawnSync(tracer, [...args, ...cmd], { encoding: "utf8", env: { ...process.env, MOD: mod, DIR: dir, MARKS: marks }, timeout: 60_000 });
      expect(r.status, r.stderr).toBe(0);
      // the trace saw the directories made (else the check below would pass on nothing)
      expect(traceLines(trace).filter((line) => new RegExp(`mkdir(?:at)?\\((?:AT_FDCWD, )?"${join(top, "a")}(/b)?"`).test(line) && / = 0$/.test(line)).length).toBe(2);
      expect(checkTrace(trace, [top, join(top, "a"), dir], (line) => line.includes(`"${marks}/flushed-`))).toBe(3);
      expect(readFileSync(join(dir, "app.ndjson"), "utf8")).toContain('"i":2');
    });
  }

  for (const [name, cmd, mod] of runtimes) {
    test(`${name}: a durable sink's compressed rotated file keeps its name through a power cut: the directory is fsynced after the .gz is renamed into place, before the original is deleted`, () => {
      const dir = join(work, `${name}-gz-logs`), marks = join(work, `${name}-gz-marks`), trace = join(work, `${name}-gz.trace`);
      mkdirSync(dir);
      mkdirSync(marks);
      const [tracer, ...args] = traced(trace, ",unlink,unlinkat");
      const r = spawnSync(tracer, [...args, ...cmd], { encoding: "utf8", env: { ...process.env, MOD: mod, DIR: dir, MARKS: marks, COMPRESS: "1" }, timeout: 60_000 });
      expect(r.status, r.stderr).toBe(0);
      const deleted = new RegExp(`unlink(?:at)?\\((?:AT_FDCWD, )?"${dir}/app\\.[^"]+\\.ndjson"`);
      expect(checkTrace(trace, [dir], (line) => deleted.test(line), (path) => path.endsWith(".gz"))).toBe(2);
      expect(readdirSync(dir).filter((n) => n.endsWith(".ndjson.gz")).length).toBe(2);
    });
  }

  for (const [name, [rt, ...args], mod] of runtimes) {
    test(`${name}: each batch httpSink spools is followed by the spool directory's fsync before the process ends`, () => {
      const spool = join(work, `${name}-spool`), trace = join(work, `${name}-spool.trace`);
      const child = [rt, ...args.slice(0, -1), join(root, "tests/fixtures/spool_child.mjs")];
      // nothing listens on port 1: every batch is spooled
      const env = { ...process.env, MOD: mod, URL: "http://127.0.0.1:1/ingest", TOKEN: "t", SPOOL: spool, START: "0", N: "25", M: "0" };
      const [tracer, ...traceArgs] = traced(trace, ",exit_group,mkdir,mkdirat");
      const r = spawnSync(tracer, [...traceArgs, ...child], { encoding: "utf8", env, timeout: 60_000 });
      expect(r.status, r.stderr).toBe(0);
      // the spool directory the first save made keeps its name too: its parent is fsynced
      expect(traceLines(trace).some((line) => line.includes(`"${spool}"`) && /mkdir/.test(line) && / = 0$/.test(line))).toBe(true);
      expect(checkTrace(trace, [work, spool], (line) => /exit_group\(/.test(line), (path) => path.endsWith(".batch") || path === spool)).toBeGreaterThan(0);
      expect(readdirSync(spool).filter((n) => n.endsWith(".batch")).length).toBeGreaterThan(0);
    });
  }

  // a directory that cannot be fsynced (as on Windows, some network mounts): made so by the OS, for a user that may write in it but not read it
  const asNobody = process.getuid?.() === 0 && spawnSync("setpriv", ["--version"]).status === 0;
  /**
   * A directory under /tmp itself (the run's own temporary directory is closed to other users)
   * with mode `mode`, a Deno cache directory nobody owns in it, and a way to run a fixture there
   * as nobody with `env`.
   */
  const nobodyPlace = (prefix: string, mode: number) => {
    const own = mkdtempSync(`/tmp/${prefix}`);
    afterAll(() => rmSync(own, { recursive: true, force: true }));
    chmodSync(own, mode);
    const denoDir = join(own, "deno-dir");
    mkdirSync(denoDir);
    chownSync(denoDir, 65534, 65534);
    const runAsNobody = (cmd: string[], fixture: string, env: Record<string, string>) =>
      spawnSync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", ...cmd.slice(0, -1), join(root, fixture)], {
        encoding: "utf8", env: { ...process.env, ...env, DENO_DIR: denoDir }, timeout: 60_000,
      });
    return { own, runAsNobody };
  };
  for (const [name, [rt, ...args], mod] of runtimes) {
    test.skipIf(!asNobody)(`${name}: a directory the file system will not fsync (EACCES) is told once; every flush resolves and every record is written`, () => {
      const { own, runAsNobody } = nobodyPlace("sluice-unsyncable-", 0o755);
      const dir = join(own, "logs");
      mkdirSync(dir);
      chmodSync(dir, 0o333);
      const r = runAsNobody([rt, ...args], "tests/fixtures/durable_unsyncable.mjs", { MOD: mod, DIR: dir, COLLECTOR: name === "bun" ? "1" : "0" });
      chmodSync(dir, 0o755);
      expect(r.status, r.stderr).toBe(0);
      const report = JSON.parse(r.stdout.trim());
      expect(report.lines).toBe(2);
      expect(report.errors).toHaveLength(1);
      expect(report.errors[0]).toMatch(/refused to fsync the directory .*EACCES/);
      if (name === "bun") {
        // the collector's durable writer: nothing refused, each record once, the journal's and the files' directory each told once
        expect({ refused: report.refused, lines: report.collectorLines }).toEqual({ refused: 0, lines: 3 });
        expect(report.collectorErrors.length).toBeGreaterThanOrEqual(1);
        for (const e of report.collectorErrors) expect(e).toMatch(/refused to fsync the directory/);
      }
    });
  }

  for (const [name, [rt, ...args], mod] of runtimes) {
    test.skipIf(!asNobody)(`${name}: only the directories a durable sink made are fsynced above its own: a parent it may pass through but not read (mode 0711) is not asked, and nothing is reported`, () => {
      const { own, runAsNobody } = nobodyPlace("sluice-passthrough-", 0o711);
      const shared = join(own, "shared"), marks = join(shared, "marks");
      mkdirSync(shared);
      chmodSync(shared, 0o777);
      mkdirSync(marks);
      chmodSync(marks, 0o777);
      const dir = join(shared, "logs", "app");
      const r = runAsNobody([rt, ...args], "tests/fixtures/durable_dir.mjs", { MOD: mod, DIR: dir, MARKS: marks });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).not.toContain("refused to fsync");
      expect(readFileSync(join(dir, "app.ndjson"), "utf8")).toContain('"i":2');
    });
  }

  for (const [name, [rt, ...args], mod] of runtimes) {
    test.skipIf(!asNobody)(`${name}: a made directory's parent that refuses its fsync (written but not read) is told once, and the file's own directory is still fsynced after every rotation`, () => {
      const { own } = nobodyPlace("sluice-refusing-parent-", 0o755);
      const parent = join(own, "parent"), marks = join(own, "marks"), trace = join(work, `${name}-refusing.trace`);
      mkdirSync(parent);
      chmodSync(parent, 0o333);
      mkdirSync(marks);
      chmodSync(marks, 0o777);
      const dir = join(parent, "logs");
      const [tracer, ...traceArgs] = traced(trace, ",mkdir,mkdirat");
      const r = spawnSync(tracer, [...traceArgs, "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", rt, ...args], {
        encoding: "utf8", env: { ...process.env, MOD: mod, DIR: dir, MARKS: marks, DENO_DIR: join(own, "deno-dir") }, timeout: 60_000,
      });
      chmodSync(parent, 0o755);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr.match(/refused to fsync the directory/g) ?? []).toHaveLength(1);
      expect(r.stderr).toContain(`refused to fsync the directory ${parent}:`);
      // the file, then each rotation: its directory fsynced before every flush resolves
      expect(checkTrace(trace, [dir], (line) => line.includes(`"${marks}/flushed-`))).toBe(3);
    });
  }

  for (const [name, cmd] of serveRuntimes) {
    test(`${name}: sluice serve --durable fsyncs the directory of a new category's file and the key journal's, before it answers`, async () => {
      const dir = join(work, `${name}-serve`), trace = join(work, `${name}-serve.trace`), tokens = join(work, `${name}-tokens.txt`);
      writeFileSync(tokens, "edge:t0ken-for-tests\n");
      // the answers' writes are traced too: each is a mark
      const server = await startServe([...traced(trace, ",write,writev,sendto,sendmsg,mkdir,mkdirat"), ...cmd], dir, ["--tokens", tokens, "--durable"]);
      try {
        for (const [i, category] of ["fresh", "another"].entries()) {
          const res = await fetch(`${server.url}/ingest`, {
            method: "POST",
            body: JSON.stringify({ msg: "kept", category }) + "\n",
            headers: { authorization: "Bearer t0ken-for-tests", "content-type": "application/x-ndjson", "idempotency-key": `k${i}` },
          });
          expect(res.status).toBe(200);
        }
      } finally {
        // strace passes no signal on: the collector it runs is stopped, and strace ends with it
        const pid = server.proc.pid!;
        const children = existsSync(`/proc/${pid}/task/${pid}/children`) ? readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(" ").filter(Boolean) : [];
        for (const child of children) process.kill(Number(child), "SIGTERM");
        await exited(server.proc);
      }
      expect(readFileSync(join(dir, "fresh.ndjson"), "utf8")).toContain('"msg":"kept"');
      // every change made before an answer (the journal's directory made, the key journal's compaction at start, each new category's file) has its directory fsynced first
      const records = (path: string) => path.endsWith(".ndjson") || path.endsWith("/idempotency-keys") || path === join(dir, ".sluice");
      expect(checkTrace(trace, [dir, join(dir, ".sluice")], (line) => line.includes('"HTTP/1.1 200'), records)).toBe(2);
    }, 30_000);
  }
});
