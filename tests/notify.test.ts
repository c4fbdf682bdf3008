// discordSink, slackSink, telegramSink against local servers on 127.0.0.1 that check each
// service's payload and answer 429 with retry_after: levels, packing and limits, folding and
// digests, rate limits, give-ups counted, and no alert loops.
import { afterEach, expect, test } from "bun:test";
import { createLogger, discordSink, HttpStatusError, slackSink, telegramSink } from "../api.ts";
import { discordRetryAfterMs } from "../lib/sinks/notify/services.ts";

interface Hit { path: string; body: any; at: number }
const servers: { stop(force?: boolean): void }[] = [];
afterEach(() => { for (const s of servers.splice(0)) s.stop(true); });
/** A server answering each request with the next of `answers` (then 200), recording what it got. */
function service(answers: (() => Response)[] = []) {
  const hits: Hit[] = [];
  const s = Bun.serve({
    port: 0, hostname: "127.0.0.1",
    async fetch(req) {
      hits.push({ path: new URL(req.url).pathname, body: await req.json(), at: Date.now() });
      return answers.shift()?.() ?? new Response("ok");
    },
  });
  servers.push(s);
  return { url: `http://127.0.0.1:${s.port}`, hits };
}
const fast = { minIntervalMs: 0 };

test("discordSink: errors and above only, lines packed into { content } under 2,000 characters, mentions off, fields compact", async () => {
  const d = service();
  const sink = discordSink(`${d.url}/api/webhooks/1/x`, fast);
  const log = createLogger({ sinks: [sink] });
  log.info("not sent");
  log.warn("not sent either");
  log.child({}, { category: "db" }).error("connection lost", { host: "db-1", tries: 3 });
  log.fatal("x".repeat(5000));
  for (let i = 0; i < 60; i++) log.error(`distinct ${i} ${"y".repeat(60)}`);
  await log.close();
  for (const h of d.hits) {
    expect(h.path).toBe("/api/webhooks/1/x");
    expect(Object.keys(h.body).sort()).toEqual(["allowed_mentions", "content"]);
    expect(h.body.allowed_mentions).toEqual({ parse: [] });
    expect(h.body.content.length).toBeLessThanOrEqual(2000);
  }
  const all = d.hits.map((h) => h.body.content).join("\n").split("\n");
  expect(all[0]).toBe("**ERROR [db]** connection lost  `host=db-1 tries=3`");
  expect(all[1]).toBe(`**FATAL** ${"x".repeat(1989)}…`); // 2,000 characters
  expect(all.length).toBe(62);
  expect(d.hits.length).toBeLessThan(10); // packed, not one request per line
  expect(all.some((l) => l.includes("not sent"))).toBe(false);
  expect(sink.notifyStats()).toMatchObject({ lines: 62, truncated: 1, failed: 0, rateLimited: 0 });
});

test("discordSink obeys a 429's retry_after in seconds and in milliseconds", async () => {
  expect(discordRetryAfterMs(1.5)).toBe(1500);
  expect(discordRetryAfterMs(0.3)).toBe(300);
  expect(discordRetryAfterMs(2)).toBe(2000);
  expect(discordRetryAfterMs(1500)).toBe(1500);
  const limited = (retry_after: number) => () => Response.json({ message: "You are being rate limited.", retry_after, global: false }, { status: 429 });
  const d = service([limited(0.3), limited(300)]);
  const sink = discordSink(d.url, fast);
  const log = createLogger({ sinks: [sink] });
  log.error("once");
  await log.close();
  expect(d.hits.length).toBe(3);
  expect(d.hits[1].at - d.hits[0].at).toBeGreaterThanOrEqual(280);
  expect(d.hits[2].at - d.hits[1].at).toBeGreaterThanOrEqual(280);
  expect(d.hits[2].at - d.hits[1].at).toBeLessThan(3000); // 300 read as ms, not 300 s
  expect(sink.notifyStats()).toMatchObject({ sent: 1, rateLimited: 2 });
});

test("slackSink posts { text } in mrkdwn and waits out Retry-After; the pace between requests holds", async () => {
  const s = service([() => new Response("rate_limited", { status: 429, headers: { "retry-after": "1" } })]);
  // the pace is the sink's, so it is timed where the sink sends: at its fetch (the server's
  // arrival times add each request's own delay)
  const sentAt: number[] = [];
  const sink = slackSink(s.url, { minIntervalMs: 100, foldWindowMs: 0, fetch: (...args) => (sentAt.push(performance.now()), fetch(...args)) });
  const log = createLogger({ sinks: [sink], batch: { maxRecords: 1 } });
  log.error("first", { order: "A-1" });
  await log.flush();
  log.error("second");
  await log.close();
  expect(s.hits.map((h) => h.body)).toEqual([{ text: "*ERROR* first  `order=A-1`" }, { text: "*ERROR* first  `order=A-1`" }, { text: "*ERROR* second" }]);
  expect(sentAt[1] - sentAt[0]).toBeGreaterThanOrEqual(990); // Retry-After: 1
  expect(sentAt[2] - sentAt[1]).toBeGreaterThanOrEqual(99); // minIntervalMs
});

test("telegramSink calls sendMessage with chat_id and plain text, and obeys parameters.retry_after", async () => {
  const t = service([() => Response.json({ ok: false, error_code: 429, description: "Too Many Requests: retry after 1", parameters: { retry_after: 1 } }, { status: 429 })]);
  const sink = telegramSink("123:ABC", -10042, { apiUrl: t.url, ...fast });
  const log = createLogger({ sinks: [sink] });
  log.child({}, { category: "pay" }).error("card declined", { id: 7 });
  await log.close();
  expect(t.hits.length).toBe(2);
  expect(t.hits[1]).toMatchObject({ path: "/bot123:ABC/sendMessage", body: { chat_id: -10042, text: "ERROR [pay] card declined\n  id=7", disable_web_page_preview: true } });
  expect(t.hits[1].at - t.hits[0].at).toBeGreaterThanOrEqual(950);
});

test("repeats of one fingerprint within the window are sent once, then one digest when the window ends", async () => {
  const d = service();
  const sink = discordSink(d.url, { ...fast, foldWindowMs: 300 });
  const log = createLogger({ sinks: [sink] });
  for (let i = 0; i < 38; i++) log.error("db down", { attempt: i });
  log.error("disk full");
  await log.flush();
  await new Promise((r) => setTimeout(r, 500));
  log.error("db down"); // a new window
  await log.close();
  const lines = d.hits.flatMap((h) => h.body.content.split("\n"));
  expect(lines).toEqual(["**ERROR** db down  `attempt=0`", "**ERROR** disk full", "**ERROR** db down (and 37 more in 0 s)", "**ERROR** db down"]);
  expect(sink.notifyStats()).toMatchObject({ folded: 37, digests: 1, lines: 4 });
});

test("a sink's own failures are counted and reported, never alerted: an onError that logs cannot loop", async () => {
  const d = service(Array.from({ length: 50 }, () => () => new Response("bad", { status: 500 })));
  const reported: Error[] = [];
  const sink = slackSink(d.url, { ...fast, maxAttempts: 2 });
  const log = createLogger({ sinks: [sink], onError: (e) => { reported.push(e); log.error(e.message); } });
  log.error("payment failed");
  await log.flush();
  await new Promise((r) => setTimeout(r, 300));
  await log.close();
  expect(d.hits.length).toBe(2); // two attempts of the one alert; nothing about the failure was posted
  expect(sink.notifyStats()).toMatchObject({ failed: 1, sent: 0 });
  expect(sink.notifyStats().ownSkipped).toBeGreaterThanOrEqual(1);
  expect(log.stats().sinks[0].dropped["sink-error"]).toBe(1);
  const undelivered = reported.find((e) => e.message.includes("was not delivered"))!;
  expect(undelivered.cause).toBeInstanceOf(HttpStatusError);
  expect([(undelivered.cause as HttpStatusError).status, (undelivered.cause as HttpStatusError).body]).toEqual([500, "bad"]);
});
