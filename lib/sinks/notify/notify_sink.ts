/**
 * Alerts to chat services: Discord and Slack webhooks and Telegram's bot API, with `fetch` only.
 *
 * @module
 */
import { HttpStatusError, toError } from "../../errors.ts";
import type { LevelName } from "../../levels.ts";
import { type RetryPolicy, retryDelay } from "../../retry.ts";
import type { LogRecord } from "../../record.ts";
import type { Sink, SinkHooks } from "../../sink.ts";
import { Folder } from "./fold.ts";
import type { AlertLine, NotifyService } from "./services.ts";

/** How a message is sent again after a 5xx or a network error: 500 ms doubling to 5 s (the one retry policy's shape; attempts are the sink's `maxAttempts`). */
const SEND_RETRY: Readonly<RetryPolicy> = { maxAttempts: Infinity, baseDelayMs: 500, maxDelayMs: 5000, jitter: false };

/**
 * Options shared by {@linkcode discordSink}, {@linkcode slackSink} and {@linkcode telegramSink}.
 *
 * @example
 * ```ts
 * import type { NotifyOptions } from "./notify_sink.ts";
 * const options: NotifyOptions = { level: "warn", foldWindowMs: 60_000, maxAttempts: 3 };
 * ```
 */
export interface NotifyOptions {
  /** The lowest level sent. @default "error" */
  level?: LevelName;
  /** Repeats of one fingerprint (level, category, message) within this are sent once, then a digest. @default 300000 (5 min) */
  foldWindowMs?: number;
  /** Tries per message on 429, 5xx and network errors; a 429's `retry_after` is waited out. @default 4 */
  maxAttempts?: number;
  /** Least time between two requests. @default the service's pace (Discord 400 ms, Slack and Telegram 1 s) */
  minIntervalMs?: number;
  /** The longest wait a 429 may ask for before the message is given up. @default 60000 */
  maxRetryAfterMs?: number;
  /** Per-request timeout. @default 10000 */
  timeoutMs?: number;
  /** The fetch to use. @default globalThis.fetch */
  fetch?: typeof fetch;
  /** A name for stats. @default the service's name */
  name?: string;
  /** The clock. @default Date.now */
  now?: () => number;
}

/**
 * A notification sink's counters, from `notifyStats()`.
 *
 * @example
 * ```ts
 * import { discordSink } from "../../../mod.ts";
 * const alerts = discordSink("https://discord.com/api/webhooks/ID/TOKEN");
 * const { sent, folded, digests, rateLimited, failed, truncated, ownSkipped } = alerts.notifyStats();
 * ```
 */
export interface NotifyStats {
  /** Messages delivered (each may carry several alert lines). */
  sent: number;
  /** Alert lines delivered. */
  lines: number;
  /** Records folded into a digest instead of sent. */
  folded: number;
  /** Digest lines sent ("and 37 more in 5 min"). */
  digests: number;
  /** 429 answers waited out. */
  rateLimited: number;
  /** Messages given up after `maxAttempts` (their lines are counted as `sink-error` in the logger's stats). */
  failed: number;
  /** Lines cut to fit the service's limit. */
  truncated: number;
  /** Records about this sink's own failures, skipped so they never become alerts. */
  ownSkipped: number;
}

/**
 * A notification sink: a sink plus its counters.
 *
 * @example
 * ```ts
 * import { slackSink } from "../../../mod.ts";
 * import type { NotifySink } from "./notify_sink.ts";
 * const alerts: NotifySink = slackSink("https://hooks.slack.com/services/T/B/X");
 * alerts.notifyStats().sent; // 0
 * ```
 */
export interface NotifySink extends Sink<LogRecord[]> {
  /** Sent, folded, rate-limited and failed messages. */
  notifyStats(): NotifyStats;
}

const RESERVED = new Set(["time", "level", "category", "msg"]);
const FIELDS_MAX = 300;

/** The record's own fields as `k=v` pairs, compact, at most 300 characters. */
function compactFields(r: LogRecord): string {
  if (r.fieldsAt >= r.json.length - 1) return "";
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(r.json);
  } catch {
    return "";
  }
  const parts: string[] = [];
  for (const [k, v] of Object.entries(parsed)) {
    if (!RESERVED.has(k)) parts.push(`${k}=${typeof v === "string" ? v : JSON.stringify(v)}`);
  }
  const text = parts.join(" ");
  return text.length > FIELDS_MAX ? `${text.slice(0, FIELDS_MAX - 1)}…` : text;
}

const minutes = (ms: number) => (ms >= 60_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1000)} s`);

/**
 * A sink that posts records at `level` and above to a chat service: lines packed into as few
 * messages as the service's length limit allows, one request at a time at the service's pace,
 * 429s waited out as they ask. The first record of a fingerprint (level, category, message) is
 * sent; repeats within `foldWindowMs` are counted and sent as one digest line when the window
 * ends (or at close). The sink's own failures go to the logger's `onError`, and records about
 * them are skipped, so an `onError` that logs cannot loop.
 *
 * @param service The service (see {@linkcode discordSink}, {@linkcode slackSink}, {@linkcode telegramSink}).
 * @param url Where to POST.
 * @param options Level, folding, retries.
 * @returns The sink.
 * @example
 * ```ts
 * import { notifySink } from "./notify_sink.ts";
 * import { slack } from "./services.ts";
 * const alerts = notifySink(slack, "https://hooks.slack.com/services/T/B/X");
 * ```
 */
export function notifySink(service: NotifyService, url: string, options: NotifyOptions = {}): NotifySink {
  const name = options.name ?? service.name;
  const now = options.now ?? Date.now;
  const windowMs = options.foldWindowMs ?? 300_000;
  const maxAttempts = options.maxAttempts ?? 4;
  const minIntervalMs = options.minIntervalMs ?? service.minIntervalMs;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const doFetch = options.fetch ?? ((...args: Parameters<typeof fetch>) => globalThis.fetch(...args));
  const folder = new Folder<AlertLine>(windowMs, now);
  const own = `sluice: ${name}:`;
  /** A record about this sink's failures: its own reports, and the logger's loss reports naming it. */
  const aboutSelf = (json: string) => json.includes(own) || json.includes(`not written to ${name} (`);
  const stats: NotifyStats = { sent: 0, lines: 0, folded: 0, digests: 0, rateLimited: 0, failed: 0, truncated: 0, ownSkipped: 0 };
  let hooks: SinkHooks = { report: () => {}, lost: () => {}, unrefTimer: (t) => (t as { unref?: () => void })?.unref?.() };
  const snapshot = (): NotifyStats => ({ ...stats });
  let lastSent = -Infinity;
  let digestTimer: ReturnType<typeof setTimeout> | undefined;
  let chain: Promise<void> = Promise.resolve();
  const sleep = (ms: number) => new Promise<void>((resolve) => hooks.unrefTimer(setTimeout(resolve, ms)));

  /** Cuts a line to the service's limit. */
  const fit = (line: string) => {
    if (line.length <= service.limit) return line;
    stats.truncated++;
    return `${line.slice(0, service.limit - 1)}…`;
  };

  /** Packs lines into messages within the limit. */
  const pack = (lines: string[]) => {
    const messages: { text: string; lines: number }[] = [];
    for (const line of lines.map(fit)) {
      const last = messages[messages.length - 1];
      if (last !== undefined && last.text.length + 1 + line.length <= service.limit) {
        last.text += `\n${line}`;
        last.lines++;
      } else messages.push({ text: line, lines: 1 });
    }
    return messages;
  };

  /** One message, tried up to `maxAttempts` times; throws the last error. */
  const post = async (text: string) => {
    let last: unknown;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      // a timer may fire a little early: the pace is checked again after it
      for (let wait; (wait = lastSent + minIntervalMs - now()) > 0;) await sleep(wait);
      lastSent = now();
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
      hooks.unrefTimer(timer);
      try {
        const res = await doFetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(service.body(text)), signal: controller.signal });
        const body = await res.text();
        if (res.ok) return;
        last = new HttpStatusError(res.status, body);
        if (res.status === 429) {
          stats.rateLimited++;
          const after = service.retryAfterMs(res.headers, body) ?? 1000;
          if (after > maxRetryAfterMs) break;
          if (attempt < maxAttempts) await sleep(after);
        } else if (res.status < 500) break; // the message itself is refused: trying again cannot help
        else if (attempt < maxAttempts) await sleep(retryDelay(SEND_RETRY, attempt));
      } catch (err) {
        last = err;
        if (attempt < maxAttempts) await sleep(retryDelay(SEND_RETRY, attempt));
      } finally {
        clearTimeout(timer);
      }
    }
    throw toError(last);
  };

  /** Sends `lines`; a message given up counts its records lost (`lostPerLine` each line) and is reported. */
  const send = async (lines: string[], records: number[]) => {
    let at = 0;
    for (const m of pack(lines)) {
      const n = records.slice(at, at + m.lines).reduce((a, b) => a + b, 0);
      at += m.lines;
      try {
        await post(m.text);
        stats.sent++;
        stats.lines += m.lines;
      } catch (err) {
        stats.failed++;
        if (n > 0) hooks.lost(n, err);
        hooks.report(new Error(`${own} a message of ${m.lines} line(s) was not delivered: ${toError(err).message}`, { cause: err }));
      }
    }
  };

  const digestLine = (d: { count: number; sample: AlertLine | undefined }) =>
    service.line({ ...d.sample!, msg: `${d.sample!.msg} (and ${d.count} more in ${minutes(windowMs)})`, fields: "" });

  /** Sends the digests of windows that are over (all of them with `Infinity`), then re-arms the timer. */
  const digests = (at?: number) => {
    const due = folder.due(at);
    if (due.length > 0) {
      stats.digests += due.length;
      chain = chain.then(() => send(due.map(digestLine), due.map(() => 0)));
    }
    clearTimeout(digestTimer);
    const next = folder.nextDue;
    if (next !== undefined && at !== Infinity) {
      digestTimer = setTimeout(() => digests(), Math.max(0, next - now()));
      hooks.unrefTimer(digestTimer);
    }
    return chain;
  };

  return {
    name,
    level: options.level ?? "error",
    sync: false,
    defaultOnFull: "drop-newest",
    batch: { maxRecords: 50, maxAgeMs: 200 },
    connect(h) {
      hooks = h;
    },
    encode: (records) => records.slice(),
    write(records) {
      const lines: string[] = [];
      const counts: number[] = [];
      let skipped = 0;
      for (const r of records) {
        if (aboutSelf(r.json)) {
          stats.ownSkipped++;
          skipped++;
          continue;
        }
        const line: AlertLine = { level: r.level, category: r.category, msg: r.msg, fields: compactFields(r) };
        if (!folder.admit(`${r.level}\u0000${r.category ?? ""}\u0000${r.msg}`, line)) {
          stats.folded++;
          continue;
        }
        lines.push(service.line(line));
        counts.push(1);
      }
      if (skipped > 0) hooks.report(new Error(`${own} ${skipped} record(s) about its own failures were not sent (no alert loops)`));
      chain = chain.then(() => send(lines, counts));
      digests();
      return chain;
    },
    flush: () => chain,
    async close() {
      await digests(Infinity);
      clearTimeout(digestTimer);
    },
    notifyStats: snapshot,
    details: snapshot,
  };
}
