/**
 * Which files of a collector's directory hold records, and when they can have been written:
 * live category files (`http.ndjson`), rotated ones (`http.2026-12-06T10-00-00-000Z.ndjson`)
 * and gzipped ones (`….ndjson.gz`). Hidden entries (the collector's `.sluice/` state) and
 * temporary files (`….gz.tmp`) are never read.
 *
 * @module
 */
import type { FileEntry } from "./search_fs.ts";

/**
 * How far a record's time may run ahead of the moment it was written (a producer's clock
 * ahead of the collector's): a file last written this long before `from` is still read.
 *
 * @example
 * ```ts
 * import { CLOCK_AHEAD_MS } from "./log_files.ts";
 * CLOCK_AHEAD_MS; // 300000 (5 minutes)
 * ```
 */
export const CLOCK_AHEAD_MS = 5 * 60_000;

/**
 * How late a record may be written after its time (a producer's spool sending it again, a
 * batch held back): a file begun this long after `to` is still read.
 *
 * @example
 * ```ts
 * import { WRITTEN_LATE_MS } from "./log_files.ts";
 * WRITTEN_LATE_MS; // 3600000 (1 hour)
 * ```
 */
export const WRITTEN_LATE_MS = 60 * 60_000;

/**
 * A file of records and the span in which its lines were written.
 *
 * @example
 * ```ts
 * const f: LogFile = { name: "http.ndjson", id: "2049:12", gzip: false, size: 10, firstWrite: 0, lastWrite: 1 };
 * ```
 */
export interface LogFile {
  name: string;
  /** Its identity (device and inode). */
  id: string;
  gzip: boolean;
  size: number;
  /** No line was written before this (the previous rotation of the same file), or -Infinity. */
  firstWrite: number;
  /** No line was written after this (its rotation time, or its mtime for a live file). */
  lastWrite: number;
}

const ROTATED = /^(.+)\.(\d{4}-\d\d-\d\dT\d\d)-(\d\d)-(\d\d)-(\d{3})Z\.ndjson(\.gz)?$/;

/**
 * The record files among a directory's entries, newest last write first (ties by name), with
 * their write spans. A rotated file present both plain and gzipped (while it is compressed)
 * counts once, plain.
 *
 * @param entries The directory's files.
 * @returns The record files.
 * @example
 * ```ts
 * import { logFiles } from "./log_files.ts";
 * logFiles([{ name: "http.ndjson", size: 10, mtimeMs: 5, id: "1:2" }, { name: "x.gz.tmp", size: 1, mtimeMs: 5, id: "1:3" }]);
 * // [{ name: "http.ndjson", id: "1:2", gzip: false, size: 10, firstWrite: -Infinity, lastWrite: 5 }]
 * ```
 */
export function logFiles(entries: readonly FileEntry[]): LogFile[] {
  const names = new Set(entries.map((e) => e.name));
  const rotations = new Map<string, number[]>();
  const parsed: { e: FileEntry; stem: string; rotatedAt: number | undefined; gzip: boolean }[] = [];
  for (const e of entries) {
    const m = ROTATED.exec(e.name);
    if (m !== null) {
      const gzip = m[6] !== undefined;
      if (gzip && names.has(e.name.slice(0, -3))) continue;
      const at = Date.parse(`${m[2]}:${m[3]}:${m[4]}.${m[5]}Z`);
      if (Number.isNaN(at)) continue;
      parsed.push({ e, stem: m[1], rotatedAt: at, gzip });
      rotations.set(m[1], [...(rotations.get(m[1]) ?? []), at]);
    } else if (e.name.endsWith(".ndjson")) {
      parsed.push({ e, stem: e.name.slice(0, -".ndjson".length), rotatedAt: undefined, gzip: false });
    }
  }
  const files = parsed.map(({ e, stem, rotatedAt, gzip }): LogFile => {
    const before = (rotations.get(stem) ?? []).filter((t) => rotatedAt === undefined || t < rotatedAt);
    return {
      name: e.name,
      id: e.id,
      gzip,
      size: e.size,
      firstWrite: before.length === 0 ? -Infinity : Math.max(...before),
      lastWrite: rotatedAt ?? e.mtimeMs,
    };
  });
  return files.sort((a, b) => b.lastWrite - a.lastWrite || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * Whether a file may hold records timed in `[from, to)`, by its write span and the slack of
 * {@linkcode CLOCK_AHEAD_MS} and {@linkcode WRITTEN_LATE_MS}.
 *
 * @param f The file.
 * @param from The range's start (ms).
 * @param to The range's end (ms, exclusive).
 * @returns False when it cannot.
 * @example
 * ```ts
 * import { mayHold } from "./log_files.ts";
 * mayHold({ name: "a.ndjson", id: "1:2", gzip: false, size: 1, firstWrite: -Infinity, lastWrite: 0 }, 3_600_000, Infinity); // false
 * ```
 */
export function mayHold(f: LogFile, from: number, to: number): boolean {
  return f.lastWrite + CLOCK_AHEAD_MS >= from && f.firstWrite - WRITTEN_LATE_MS < to;
}
