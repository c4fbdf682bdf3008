/**
 * What one `sluice consume` keeps in its directory, under `<dir>/.sluice/consume/<name>/`: a
 * lock (one process per consumer name and directory), the subject filters it writes (so two
 * consumers sharing a directory cannot write the same file), its write journal, and its floor
 * (the stream sequence at and below which every message of the consumer is on disk).
 *
 * @module
 */
import { errorMessage } from "../../lib/errors.ts";
import { filtersOverlap } from "./subjects.ts";

// deno-lint-ignore no-explicit-any -- an untyped runtime global or driver object (no @types for Bun, Deno and Node here)
const proc = (globalThis as any).process;

/**
 * The consumer's place in `dir`; {@linkcode openConsumeState} takes the lock.
 *
 * @example
 * ```ts
 * const state = openConsumeState("./logs", "sluice-consume", ["sluice.logs.>"], "LOGS@2026-11-28T22:00:00Z");
 * state.saveFloor(42); state.release();
 * ```
 */
export interface ConsumeState {
  /** `<dir>/.sluice/consume/<name>`. */
  readonly path: string;
  /** The write journal's path (DiskWriter's `journal`). */
  readonly journal: string;
  /** The floor saved last, 0 when none. */
  readonly floor: number;
  /** Saves a new floor (written aside, then renamed over the old one). */
  saveFloor(seq: number): void;
  /** Releases the lock. */
  release(): void;
}

/**
 * Takes the consumer's place in `dir`: refuses when a live process holds the same name there,
 * or when another consumer's filters there overlap `filters` (both would append to one file).
 * A lock left by a process that is gone (killed) is taken over.
 *
 * @param dir The directory the category files go to.
 * @param name The consumer's name.
 * @param filters The subjects it writes.
 * @param stream The stream's name and creation time (`LOGS@2026-11-28T22:00:00Z`): a stream
 *   deleted and made again is another stream.
 * @returns Its state; throws a one-line `TypeError` saying what to do.
 * @example
 * ```ts
 * import { openConsumeState } from "./state.ts";
 * const state = openConsumeState("./logs", "sluice-consume", ["sluice.logs.>"], "LOGS@2026-11-28T22:00:00Z");
 * ```
 */
export function openConsumeState(dir: string, name: string, filters: readonly string[], stream: string): ConsumeState {
  const fs = proc.getBuiltinModule("node:fs");
  const root = `${dir}/.sluice/consume`;
  const path = `${root}/${name}`;
  try {
    fs.mkdirSync(path, { recursive: true });
  } catch (err) {
    throw new TypeError(`sluice consume: cannot make ${path}: ${errorMessage(err)}`);
  }
  const lock = `${path}/lock`;
  const holder = Number(read(fs, lock));
  if (holder > 0 && holder !== proc.pid && alive(holder)) {
    throw new TypeError(`sluice consume: consumer ${name} already runs on ${dir} (pid ${holder}); one process per --name and --dir`);
  }
  for (const other of fs.readdirSync(root) as string[]) {
    if (other === name) continue;
    const theirs: string[] = JSON.parse(read(fs, `${root}/${other}/subjects`) ?? "[]");
    for (const f of filters) {
      const clash = theirs.find((t) => filtersOverlap(f, t));
      if (clash !== undefined) {
        throw new TypeError(`sluice consume: subjects ${f} overlap consumer ${other}'s ${clash} in ${dir} (both would write one file); give disjoint --subjects, another --dir, or remove ${root}/${other} if that consumer is retired`);
      }
    }
  }
  writeAside(fs, lock, String(proc.pid));
  // the floor holds for the subjects and the stream it was kept for: a stream made again counts
  // its sequences from 1, other subjects start from nothing
  const before = [read(fs, `${path}/subjects`), read(fs, `${path}/stream`)];
  if (before[0] !== undefined && (before[0] !== JSON.stringify(filters) || before[1] !== stream)) fs.rmSync(`${path}/floor`, { force: true });
  writeAside(fs, `${path}/subjects`, JSON.stringify(filters));
  writeAside(fs, `${path}/stream`, stream);
  const floor = Number(read(fs, `${path}/floor`) ?? 0) || 0;
  return {
    path,
    journal: `${path}/journal`,
    floor,
    saveFloor: (seq) => writeAside(fs, `${path}/floor`, String(seq)),
    release: () => {
      if (Number(read(fs, lock)) === proc.pid) fs.rmSync(lock, { force: true });
    },
  };
}

// deno-lint-ignore no-explicit-any -- node:fs, untyped here
function read(fs: any, path: string): string | undefined {
  try {
    return fs.readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/** Writes `path` whole or not at all: to a temporary file, then renamed over it. */
// deno-lint-ignore no-explicit-any -- node:fs, untyped here
function writeAside(fs: any, path: string, text: string): void {
  fs.writeFileSync(`${path}.tmp`, text);
  fs.renameSync(`${path}.tmp`, path);
}

function alive(pid: number): boolean {
  try {
    proc.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === "EPERM";
  }
}
