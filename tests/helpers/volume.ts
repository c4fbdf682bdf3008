// A synchronous in-memory sink with stages in its path, hand-made records and a fake clock: what
// the volume stages' tests (throttle, sample, fingersCrossed) share.
import { createRecord, type LogRecord, type RecordStage, type Sink, withThrough } from "../../mod.ts";

/** A line as the memory sink keeps it (the record's JSON parsed). */
export type Line = Record<string, unknown> & { level: string; msg: string };

/** A synchronous sink that keeps the lines it is given, with stages in its path. */
export function memory(through: RecordStage[]): { lines: Line[]; sink: Sink<string[]> } {
  const lines: Line[] = [];
  const sink: Sink<string[]> = {
    name: "memory",
    sync: true,
    defaultOnFull: "block",
    encode: (records) => records.map((r) => r.json),
    write: (chunk) => void lines.push(...chunk.map((l) => JSON.parse(l))),
    close() {},
  };
  return { lines, sink: withThrough(sink, through) };
}

/** A record at time 0 with fields (`',"k":1'`) and a category. */
export const rec = (level: LogRecord["level"], msg: string, fields = "", category?: string): LogRecord => createRecord(0, level, category, msg, fields + "}");

/** A clock a test sets. */
export const clock = (t = 0): { now: () => number; set: (v: number) => void } => ({ now: () => t, set: (v: number) => void (t = v) });
