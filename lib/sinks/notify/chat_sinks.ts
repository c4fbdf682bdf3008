/**
 * The chat sinks: Discord, Slack and Telegram alerts on {@linkcode notifySink}.
 *
 * @module
 */
import { notifySink, type NotifyOptions, type NotifySink } from "./notify_sink.ts";
import { discord, slack, telegram } from "./services.ts";

/**
 * Alerts to a Discord channel through an incoming webhook (`{ content }`, 2,000 characters,
 * mentions not parsed); `retry_after` read in seconds or milliseconds.
 *
 * @param webhookUrl The webhook's URL.
 * @param options Level (default `error`), folding, retries.
 * @example
 * ```ts
 * import { createLogger, discordSink } from "../../../api.ts";
 * const log = createLogger({ sinks: [discordSink("https://discord.com/api/webhooks/1/abc")] });
 * ```
 */
export function discordSink(webhookUrl: string, options?: NotifyOptions): NotifySink {
  return notifySink(discord, webhookUrl, options);
}

/**
 * Alerts to a Slack channel through an incoming webhook (`{ text }` in mrkdwn, 4,000 characters).
 *
 * @param webhookUrl The webhook's URL.
 * @param options Level (default `error`), folding, retries.
 * @example
 * ```ts
 * import { createLogger, slackSink } from "../../../api.ts";
 * const log = createLogger({ sinks: [slackSink("https://hooks.slack.com/services/T/B/X")] });
 * ```
 */
export function slackSink(webhookUrl: string, options?: NotifyOptions): NotifySink {
  return notifySink(slack, webhookUrl, options);
}

/**
 * Alerts to a Telegram chat through the bot API's `sendMessage` (plain text, 4,096 characters).
 *
 * @param botToken The bot's token.
 * @param chatId The chat.
 * @param options Level (default `error`), folding, retries, and `apiUrl` (default `https://api.telegram.org`).
 * @example
 * ```ts
 * import { createLogger, telegramSink } from "../../../api.ts";
 * const log = createLogger({ sinks: [telegramSink("123:ABC", -1001234)] });
 * ```
 */
export function telegramSink(botToken: string, chatId: string | number, options: NotifyOptions & { apiUrl?: string } = {}): NotifySink {
  const api = options.apiUrl ?? "https://api.telegram.org";
  return notifySink(telegram(chatId), `${api}/bot${botToken}/sendMessage`, options);
}
