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
 * The check {@linkcode ownFormCheck} makes: the record's `fieldsAt` when the line
 * `text.slice(from, to)` (the whole text by default) is exactly what sluice writes for its parsed
 * value `v`, else -1; `ms` is then the record's time. The line is read where it stands in
 * `text`: a line cut out of a body first costs more to read than the body itself (JSC).
 */
export interface OwnFormCheck {
  (text: string, v: Record<string, unknown>, from?: number, to?: number): number;
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
 * level's prefix, the message's JSON: the head each line must start with).
 *
 * @param crFree The text these lines come from holds no `\r`, so no line is looked at for one.
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
export function ownFormCheck(crFree = false): OwnFormCheck {
  let [checkedTime, level, prefix, lastMsg, lastMsgJson] = ["", "", "", "", '""'];
  let prefixCategory: string | undefined;
  /** `{"time":"<time>` + the level's prefix + the message's JSON: what the last line had to start with. */
  let head = "";
  const check = ((text: string, v: Record<string, unknown>, from = 0, to = text.length): number => {
    const { time, msg, category } = v;
    if (typeof time !== "string" || typeof msg !== "string" || (category !== undefined && typeof category !== "string")) return -1;
    if (time !== checkedTime || v.level !== level || category !== prefixCategory || msg !== lastMsg || head === "") {
      head = ""; // made again below only when every part checks (a stale head could pass a line it does not describe)
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
      // the message as sluice writes it (not "\u0041", not followed by a second "msg" that JSON.parse would take)
      if (msg !== lastMsg) (lastMsgJson = JSON.stringify(msg)), (lastMsg = msg);
      head = '{"time":"' + time + prefix + lastMsgJson;
    }
    // nothing after the closing brace ("\r", spaces); a "\r" between members (JSON whitespace) is
    // no line break in NDJSON but is one in an SSE data line (/api/tail): such a line is written again, without it
    if (!text.startsWith(head, from) || text.charCodeAt(to - 1) !== 125 || to - from < head.length + 1) return -1;
    if (!crFree && text.slice(from, to).includes("\r")) return -1;
    return head.length;
  }) as OwnFormCheck;
  check.ms = NaN;
  return check;
}
