// The console in a real browser (headless Chromium via playwright-core) against a real
// collector: the token form, the live tail within a second, the query box, search and its
// histogram, a producer turning late, and a record that tries to be HTML shown as text.
// Screenshots go to test-artifacts/ (gitignored).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { serve, type Server } from "../server.ts";
import { artifactPath, chromiumSuitesRun, launchChromium } from "./helpers/chromium.ts";

const INGEST = "ingest-token-0123456789";
const READ = "read-token-0123456789";
const run = chromiumSuitesRun("console in Chromium");

describe.if(run)("the console in Chromium", () => {
  let server: Server;
  let browser: Browser;
  let page: Page;
  const dialogs: string[] = [];
  const errors: string[] = [];
  const post = (lines: object[], producer?: string) =>
    fetch(`${server.url}/ingest`, {
      method: "POST",
      headers: { authorization: `Bearer ${INGEST}`, "content-type": "application/x-ndjson", ...(producer ? { "x-sluice-producer": producer } : {}) },
      body: lines.map((l) => JSON.stringify(l)).join("\n"),
    });
  const tailText = () => page.locator("#tail-list").innerText();

  beforeAll(async () => {
    server = await serve({
      port: 0,
      dir: mkdtempSync(join(tmpdir(), "sluice-console-")),
      handleSignals: false,
      heartbeatCheckMs: 50,
      tokens: [{ name: "edge", token: INGEST, producers: ["edge-*"] }, { name: "ops", token: READ, role: "read" }],
    });
    // an older record, on disk before the page opens: search finds it (and the tail's backlog shows it)
    expect((await post([{ level: "warn", msg: "older needle record", n: 1 }])).status).toBe(200);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1100, height: 760 } });
    page.on("dialog", (d) => (dialogs.push(d.message()), void d.dismiss()));
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  }, 40_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  test("the page loads with no token asked of it, and refuses an ingest token", async () => {
    const res = await page.goto(`${server.url}/`);
    expect(res!.status()).toBe(200);
    await page.fill("#token", INGEST);
    await page.click("#login button[type=submit]");
    await page.waitForFunction(() => document.getElementById("login-error")!.textContent!.includes("read token"), undefined, { timeout: 5000 });
    expect(await page.isVisible("#tabs")).toBe(false);
  }, 15_000);

  test("takes the read token; a record posted to /ingest is on the page within a second", async () => {
    await page.fill("#token", READ);
    await page.click("#login button[type=submit]");
    await page.waitForSelector("#tail-status:has-text('following')", { timeout: 5000 });
    const t0 = Date.now();
    await post([{ level: "info", msg: "hello from the browser test" }], "edge-1");
    await page.waitForSelector("#tail-list li:has-text('hello from the browser test')", { timeout: 1000 });
    expect(Date.now() - t0).toBeLessThan(1000);
    // the tail opened with the records the collector keeps (backlog), so the older one is there too
    expect(await tailText()).toContain("older needle record");
    // the token stays with this tab's session
    expect(await page.evaluate(() => sessionStorage.getItem("sluice.readToken"))).toBe(READ);
  }, 15_000);

  test("a record whose message is HTML shows as text and runs nothing", async () => {
    const evil = "<img src=x onerror=alert(1)>";
    await post([{ level: "error", msg: evil, note: "<script>alert(2)</script>" }], "edge-1");
    await page.waitForFunction((s) => document.getElementById("tail-list")!.textContent!.includes(s), evil, { timeout: 2000 });
    await page.click(`#tail-list li:has-text('onerror')`); // opens the raw line too
    await Bun.sleep(200);
    expect(await page.locator("#tail-list img, #tail-list script").count()).toBe(0);
    expect(await page.locator("img").count()).toBe(0);
    expect(dialogs).toEqual([]);
    await page.screenshot({ path: artifactPath("console-tail.png") });
  }, 15_000);

  test("the query box filters the tail", async () => {
    await page.fill("#tail-q", "level:>=warn producer:edge-*");
    await page.click("#tail-form button[type=submit]");
    await page.waitForSelector("#tail-status:has-text('matching')", { timeout: 5000 });
    await post([{ level: "info", msg: "quiet info line" }, { level: "warn", msg: "loud warn line" }], "edge-2");
    await page.waitForSelector("#tail-list li:has-text('loud warn line')", { timeout: 2000 });
    expect(await tailText()).not.toContain("quiet info line");
  }, 15_000);

  test("scrolled up, new records do not move the view (a Follow button appears); Pause holds records until Resume", async () => {
    await page.fill("#tail-q", "");
    await page.click("#tail-form button[type=submit]");
    await page.waitForSelector("#tail-status:has-text('every record')", { timeout: 5000 });
    await post(Array.from({ length: 80 }, (_, i) => ({ level: "info", msg: `filler ${i}` })), "edge-1");
    await page.waitForSelector("#tail-list li:has-text('filler 79')", { timeout: 3000 });
    await page.evaluate(() => (document.getElementById("tail-list")!.scrollTop = 100));
    const rows = await page.locator("#tail-list li").count();
    await post(Array.from({ length: 5 }, (_, i) => ({ level: "info", msg: `while scrolled ${i}` })), "edge-1");
    await page.waitForSelector("#tail-list li:has-text('while scrolled 4')", { state: "attached", timeout: 3000 });
    expect(await page.locator("#tail-list li").count()).toBe(rows + 5);
    expect(await page.evaluate(() => document.getElementById("tail-list")!.scrollTop)).toBe(100);
    expect(await page.isVisible("#tail-follow")).toBe(true);
    await page.click("#tail-follow");
    expect(await page.evaluate(() => { const l = document.getElementById("tail-list")!; return l.scrollHeight - l.scrollTop - l.clientHeight; })).toBeLessThan(24);
    await page.click("#tail-pause");
    await post([{ level: "info", msg: "held while paused" }], "edge-1");
    await page.waitForSelector("#tail-pause:has-text('Resume (1)')", { timeout: 3000 });
    expect(await tailText()).not.toContain("held while paused");
    await page.click("#tail-pause");
    await page.waitForSelector("#tail-list li:has-text('held while paused')", { timeout: 1000 });
  }, 15_000);

  test("a search finds an older record, and the histogram has bars", async () => {
    await page.click("#tabs button[data-tab=search]");
    await page.fill("#search-q", "needle");
    await page.click("#search-form button[type=submit]");
    await page.waitForSelector("#search-list li:has-text('older needle record')", { timeout: 5000 });
    await page.waitForSelector("#histogram rect", { timeout: 5000 });
    expect(await page.locator("#histogram rect.warn").count()).toBeGreaterThan(0);
    await page.screenshot({ path: artifactPath("console-search.png") });
  }, 15_000);

  test("a producer that misses its check-in turns late", async () => {
    const beat = await fetch(`${server.url}/heartbeat`, {
      method: "POST",
      headers: { authorization: `Bearer ${INGEST}`, "content-type": "application/json" },
      body: JSON.stringify({ producer: "edge-late", nextCheckInMs: 100, graceMs: 0 }),
    });
    expect(beat.status).toBe(200);
    await page.click("#tabs button[data-tab=producers]");
    await page.waitForSelector("#producer-rows tr:has(td:text-is('edge-late')) td.late", { timeout: 5000 });
    expect(await page.locator("#counts").innerText()).toMatch(/accepted \d+ · rejected 0 · refused 429: 0 503: 0/);
    await page.screenshot({ path: artifactPath("console-producers.png") });
  }, 15_000);

  test("phone-sized and dark: the page fits and nothing went wrong on it", async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 800 }, colorScheme: "dark" });
    await phone.goto(`${server.url}/`);
    await phone.evaluate((t) => sessionStorage.setItem("sluice.readToken", t), READ);
    await phone.reload();
    await phone.waitForSelector("#tail-status:has-text('following')", { timeout: 5000 });
    await post([{ level: "warn", msg: "seen on a phone" }], "edge-1");
    await phone.waitForSelector("#tail-list li:has-text('seen on a phone')", { timeout: 2000 });
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(await phone.evaluate(() => getComputedStyle(document.body).backgroundColor)).not.toBe("rgb(255, 255, 255)");
    await phone.screenshot({ path: artifactPath("console-phone-dark.png") });
    await phone.close();
    expect(errors.filter((e) => !/status of 40[13]/.test(e))).toEqual([]);
  }, 15_000);
});
