// Shared by the httpSink suites: scripted HTTP servers and the real collector on 127.0.0.1:0,
// stopped after each test, and bounded waits.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { serve, type Server } from "../../server.ts";

export const TOKEN = "edge-token";
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const cleanup: (() => unknown)[] = [];
/** Runs and forgets the registered cleanups, newest first (call it from afterEach). */
export async function runCleanup(): Promise<void> {
  for (const f of cleanup.splice(0).reverse()) await f();
}

export async function collector(dir = mkdtempSync(join(tmpdir(), "sluice-http-")), port = 0): Promise<Server & { dir: string }> {
  const s = await serve({ port, dir, tokens: [{ name: "edge", token: TOKEN, producers: ["edge-*", "worker-*", "p-*"] }], handleSignals: false, heartbeatCheckMs: 20 });
  cleanup.push(() => s.close());
  return Object.assign(s, { dir });
}

/** One request a scripted server received. */
export interface Seen {
  path: string;
  method: string;
  key: string | null;
  /** The body as sent (gzip bytes when gzipped). */
  raw: Uint8Array;
  /** The body as text, decompressed. */
  text: string;
  lines: string[];
  gzip: boolean;
  auth: string | null;
  producer: string | null;
  contentType: string | null;
  header: (name: string) => string | null;
  at: number;
}

/**
 * A scripted server: `answer` decides each response (`n` counts requests from 1); every request
 * is recorded in `seen`, and every answer with its status in `answered` once it is decided.
 */
export function scripted(answer: (n: number, req: Seen) => Response | Promise<Response>) {
  const seen: Seen[] = [];
  const answered: { key: string | null; status: number; lines: string[] }[] = [];
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req) {
      const raw = new Uint8Array(await req.arrayBuffer());
      const gzip = req.headers.get("content-encoding") === "gzip";
      const text = new TextDecoder().decode(gzip ? gunzipSync(raw) : raw);
      const s: Seen = {
        path: new URL(req.url).pathname,
        method: req.method,
        key: req.headers.get("idempotency-key"),
        raw,
        text,
        lines: text.split("\n").filter(Boolean),
        gzip,
        auth: req.headers.get("authorization"),
        producer: req.headers.get("x-sluice-producer"),
        contentType: req.headers.get("content-type"),
        header: (name) => req.headers.get(name),
        at: performance.now(),
      };
      seen.push(s);
      const res = await answer(seen.length, s);
      answered.push({ key: s.key, status: res.status, lines: s.lines });
      return res;
    },
  });
  cleanup.push(() => server.stop(true));
  const base = `http://127.0.0.1:${server.port}`;
  return { base, url: `${base}/ingest`, seen, answered };
}

export const ok = () => new Response('{"accepted":1}');
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Waits until `cond()` holds, for at most `ms`. */
export async function until(cond: () => boolean, ms = 2000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!cond() && performance.now() < deadline) await sleep(10);
}
/** A port nothing listens on: bound, then released. */
export function closedPort(): number {
  const s = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
  const port = s.port!;
  s.stop(true);
  return port;
}

export const records = (dir: string, file = "default.ndjson") => readFileSync(join(dir, file), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
