// A Cloudflare Worker (module syntax) that logs through httpSink to a collector, as a user's
// edge function would. Bundled for the browser target and run in workerd by edge.test.mjs.
import { createLogger, httpSink } from "../../mod.web.ts"; // what a bundler picks for "sluice" under the workerd condition

interface Env {
  COLLECTOR_URL: string;
  SLUICE_TOKEN: string;
}

export default {
  async fetch(req: Request, env: Env, ctx: { waitUntil(p: Promise<unknown>): void }): Promise<Response> {
    const n = Number(new URL(req.url).searchParams.get("n") ?? 10);
    const log = createLogger({ sinks: [httpSink(env.COLLECTOR_URL, { token: env.SLUICE_TOKEN, producer: "worker" })] });
    for (let i = 0; i < n; i++) log.info("edge request", { i, path: new URL(req.url).pathname });
    ctx.waitUntil(log.flush());
    return new Response(`logged ${n}`);
  },
};
