/**
 * Whether a line is exactly the text sluice writes for a record: the check that lets a line in
 * sluice's own form be taken as it came, its bytes written unchanged, instead of decoded and
 * encoded again. Shared by the collector's ingest (lib/format/ndjson_decode.ts) and
 * `sluice consume` (jetstream/message_read.ts).
 *
 * @module
 */
import { isoTime } from "../iso_time.ts";
import { LEVEL_NAMES, type LevelName } from "../levels.ts";
import { recordPrefix } from "../record.ts";

const LEVELS = new Set<string>(LEVEL_NAMES);

/**
 * The check {@linkcode ownFormCheck} makes: `line`'s record `fieldsAt` when `line` is exactly
 * what sluice writes for its parsed value `v`, else -1; `ms` is then the record's time.
 */
export interface OwnFormCheck {
  (line: string, v: Record<string, unknown>): number;
  /** The epoch milliseconds of the time of the last line found in sluice's form. */
  ms: number;
}

/**
 * A check of whether a line is exactly the text sluice writes for its parsed value `v`
 * (`{"time":"<ISO time>","level":…[,"category":…],"msg":<JSON.stringify(msg)>…}`, nothing
 * after the closing brace): the record's `fieldsAt` when it is, else -1. `v` must be what
 * `JSON.parse(line)` gave: its `time` (a string that is its own ISO-8601 round trip), `level`
 * (a level name), `category` (absent or a string) and `msg` (a string) must stand at the line's
 * head as sluice writes them, so a second member of the same name later in the line (which
 * `JSON.parse` would take) or an escape sluice does not write (`\u0041`) fails the check. The
 * members after `msg` are not rewritten by sluice's own paths either (they are kept as sent).
 * Make one per body or message: it keeps what consecutive lines share (the time checked, the
 * level's prefix, the message's JSON).
 *
 * @returns The check.
 * @example
 * ```ts
 * import { ownFormCheck } from "./own_form.ts";
 * const check = ownFormCheck();
 * const line = '{"time":"1970-01-01T00:00:00.000Z","level":"info","msg":"a","n":1}';
 * check(line, JSON.parse(line)); // 59: the fields start after "a"
 * check('{"time":"1970-01-01T00:00:00Z","level":"info","msg":"a"}', { time: "1970-01-01T00:00:00Z", level: "info", msg: "a" }); // -1
 * ```
 */
export function ownFormCheck(): OwnFormCheck {
  let [checkedTime, level, prefix, lastMsg, lastMsgJson] = ["", "", "", "", '""'];
  let prefixCategory: string | undefined;
  const check = ((line: string, v: Record<string, unknown>): number => {
    const { time, msg, category } = v;
    if (typeof time !== "string" || typeof msg !== "string" || (category !== undefined && typeof category !== "string")) return -1;
    // a time in sluice's form is its own round trip (a batch's records share few)
    if (time !== checkedTime) {
      const ms = Date.parse(time);
      if (Number.isNaN(ms) || isoTime(ms) !== time) return -1;
      checkedTime = time;
      check.ms = ms;
    }
    if (v.level !== level || category !== prefixCategory || prefix === "") {
      if (typeof v.level !== "string" || !LEVELS.has(v.level)) return -1;
      prefix = recordPrefix((level = v.level) as LevelName, (prefixCategory = category));
    }
    const msgAt = 9 + time.length + prefix.length;
    if (!line.startsWith('{"time":"') || !line.startsWith(time, 9) || !line.startsWith(prefix, 9 + time.length)) return -1;
    // the message as sluice writes it (not "\u0041", not followed by a second "msg" that JSON.parse would take), and nothing after the closing brace ("\r", spaces)
    if (msg !== lastMsg) (lastMsgJson = JSON.stringify(msg)), (lastMsg = msg);
    if (!line.startsWith(lastMsgJson, msgAt) || line.charCodeAt(line.length - 1) !== 125) return -1;
    // a "\r" between members (JSON whitespace) is no line break in NDJSON but is one in an SSE
    // data line (/api/tail): such a line is written again, without it
    return line.includes("\r") ? -1 : msgAt + lastMsgJson.length;
  }) as OwnFormCheck;
  check.ms = NaN;
  return check;
}
