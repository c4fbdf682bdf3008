/**
 * What differs between Discord, Slack and Telegram: the message's form, its length limit, the
 * pace between requests, and how a 429 says when to come back.
 *
 * @module
 */
import type { LevelName } from "../../levels.ts";

/**
 * One alert line's parts, before a service renders them.
 *
 * @example
 * ```ts
 * import { discord, type AlertLine } from "./services.ts";
 * const line: AlertLine = { level: "error", category: "db", msg: "down", fields: "host=db1" };
 * discord.line(line); // "**ERROR [db]** down  `host=db1`"
 * ```
 */
export interface AlertLine {
  /** The record's level. */
  level: LevelName;
  /** The record's category, if any. */
  category: string | undefined;
  /** The record's message. */
  msg: string;
  /** `k=v` pairs, already compact. */
  fields: string;
}

/**
 * A notification service: how to render lines, the request body, the limit and pace.
 *
 * @example
 * ```ts
 * import { slack } from "./services.ts";
 * slack.body(slack.line({ level: "error", category: "db", msg: "down", fields: "host=a" })); // { text: "*ERROR* [db] down  `host=a`" }
 * ```
 */
export interface NotifyService {
  /** The service's name, for stats and reports (`"discord"`). */
  readonly name: string;
  /** The longest message text the service takes. */
  readonly limit: number;
  /** The least time between two requests. */
  readonly minIntervalMs: number;
  /** Renders one alert line. */
  line(a: AlertLine): string;
  /** The JSON body carrying `text`. */
  body(text: string): unknown;
  /** How long a 429 says to wait, in milliseconds, from its headers and body; undefined when it does not say. */
  retryAfterMs(headers: Headers, body: string): number | undefined;
}

const headerSeconds = (headers: Headers, name: string) => {
  const v = headers.get(name);
  const n = v === null ? NaN : Number(v);
  return Number.isFinite(n) && n >= 0 ? n * 1000 : undefined;
};
// deno-lint-ignore no-explicit-any -- a service's error body, read defensively
const jsonField = (body: string, pick: (j: any) => unknown) => {
  try {
    const v = Number(pick(JSON.parse(body)));
    return Number.isFinite(v) && v >= 0 ? v : undefined;
  } catch {
    return undefined;
  }
};
const tag = (a: AlertLine) => `${a.level.toUpperCase()}${a.category === undefined ? "" : ` [${a.category}]`}`;

/**
 * Discord's `retry_after` is seconds (a float) in API v8 and later and milliseconds (an integer)
 * in older versions and some proxies: an integer of 100 or more is read as milliseconds.
 */
export function discordRetryAfterMs(value: number): number {
  return Number.isInteger(value) && value >= 100 ? value : value * 1000;
}

/**
 * Discord webhooks: 2,000 characters of `content`, about 5 requests per 2 s; mentions are not parsed.
 *
 * @example
 * ```ts
 * import { notifySink } from "../../../mod.ts";
 * import { discord } from "./services.ts";
 * notifySink(discord, "https://discord.com/api/webhooks/ID/TOKEN", { level: "fatal" });
 * ```
 */
export const discord: NotifyService = {
  name: "discord",
  limit: 2000,
  minIntervalMs: 400,
  line: (a) => `**${tag(a)}** ${a.msg}${a.fields ? `  \`${a.fields}\`` : ""}`,
  body: (text) => ({ content: text, allowed_mentions: { parse: [] } }),
  retryAfterMs(headers, body) {
    const v = jsonField(body, (j) => j.retry_after);
    return v !== undefined ? discordRetryAfterMs(v) : headerSeconds(headers, "retry-after");
  },
};

/**
 * Slack incoming webhooks: `text` (kept under 4,000 characters), about 1 request per second.
 *
 * @example
 * ```ts
 * import { notifySink } from "../../../mod.ts";
 * import { slack } from "./services.ts";
 * notifySink(slack, "https://hooks.slack.com/services/T/B/X");
 * ```
 */
export const slack: NotifyService = {
  name: "slack",
  limit: 4000,
  minIntervalMs: 1000,
  line: (a) => `*${tag(a)}* ${a.msg}${a.fields ? `  \`${a.fields}\`` : ""}`,
  body: (text) => ({ text }),
  retryAfterMs: (headers) => headerSeconds(headers, "retry-after"),
};

/**
 * Telegram's `sendMessage`: 4,096 characters of plain text, about 1 message per second per chat.
 *
 * @param chatId The chat the bot writes to.
 * @returns The service.
 * @example
 * ```ts
 * import { notifySink } from "../../../mod.ts";
 * import { telegram } from "./services.ts";
 * notifySink(telegram(-1001234), "https://api.telegram.org/botBOT_TOKEN/sendMessage");
 * ```
 */
export function telegram(chatId: string | number): NotifyService {
  return {
    name: "telegram",
    limit: 4096,
    minIntervalMs: 1000,
    line: (a) => `${tag(a)} ${a.msg}${a.fields ? `\n  ${a.fields}` : ""}`,
    body: (text) => ({ chat_id: chatId, text, disable_web_page_preview: true }),
    retryAfterMs: (headers, body) => {
      const v = jsonField(body, (j) => j.parameters?.retry_after);
      return v !== undefined ? v * 1000 : headerSeconds(headers, "retry-after");
    },
  };
}
