// A Cloudflare Worker that sends an alert to Discord, Slack and Telegram (fetch only), as a
// user's edge function would. Bundled for the browser target and run in workerd by notify.test.mjs.
import { createLogger, discordSink, slackSink, telegramSink } from "../../mod.web.ts";

interface Env {
  HOOK_URL: string;
}

export default {
  async fetch(_req: Request, env: Env, ctx: { waitUntil(p: Promise<unknown>): void }): Promise<Response> {
    const options = { minIntervalMs: 0 };
    const log = createLogger({
      sinks: [
        discordSink(`${env.HOOK_URL}/discord`, options),
        slackSink(`${env.HOOK_URL}/slack`, options),
        telegramSink("1:T", 42, { ...options, apiUrl: `${env.HOOK_URL}/telegram` }),
      ],
    });
    log.info("not an alert");
    log.error("checkout failed", { order: "A-1" });
    ctx.waitUntil(log.close());
    return new Response("alerted");
  },
};
