// A collector for the read API's suites (tail, search): in a fresh directory, with an ingest
// token (`edge`, which may also speak as `edge-*`) and a read token (`ops`, role=read). Each
// suite calls `afterEach(closeCollectors)`; a test that closes one itself takes it out of `open`.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve, type ServeOptions, type Server } from "../../server.ts";

export const INGEST = "in-token";
export const READ = "read-token";
/** The collectors started and not yet closed. */
export const open: Server[] = [];

/** Starts a collector on 127.0.0.1 with the two tokens and `extra` options (`extra.dir` instead of a fresh one, to start again on a directory). */
export async function readCollector(prefix: string, extra: Partial<ServeOptions> = {}): Promise<Server> {
  const dir = extra.dir ?? mkdtempSync(join(tmpdir(), prefix));
  const s = await serve({ port: 0, dir, handleSignals: false, tokens: [{ name: "edge", token: INGEST, producers: ["edge-*"] }, { name: "ops", token: READ, role: "read" }], ...extra });
  open.push(s);
  return s;
}

/** Closes every collector still open. */
export async function closeCollectors(): Promise<void> {
  for (const s of open.splice(0)) await s.close();
}

export const auth = (t: string): Record<string, string> => ({ authorization: `Bearer ${t}` });

/** GETs `path` with the read token. */
export const get = (s: Server, path: string): Promise<Response> => fetch(s.url + path, { headers: auth(READ) });

/** POSTs NDJSON lines to /ingest with the ingest token. */
export const post = (s: Server, lines: string[], headers: Record<string, string> = {}): Promise<Response> =>
  fetch(`${s.url}/ingest`, { method: "POST", headers: { ...auth(INGEST), "content-type": "application/x-ndjson", ...headers }, body: lines.join("\n") + "\n" });
