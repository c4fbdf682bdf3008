// The failover case of issue 18, the same on every runtime (Bun: tests/route_failover.test.ts and
// bench/run_route_failover.ts at 120,000 records; Deno and Node: tests/deno/, tests/node/): a
// routeSink over three httpSink targets as a new user writes them (`httpSink(url)`, default
// options; default breaker), real HTTP servers (node:http) on 127.0.0.1 in this process, the
// first refusing (503 with Retry-After: 1, as a busy collector answers) or never answering.
// Every record carries an id; the servers note when each id was refused and when it was
// accepted, so lost, doubled and the time from a refusal to the acceptance elsewhere are
// counted, not inferred.
import { createServer } from "node:http";
import { gunzipSync } from "node:zlib";

const now = () => performance.now();

/** Starts a server on 127.0.0.1:0 calling `handle(ids, res)` with each request's record ids. */
async function server(handle) {
  const s = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      let body = Buffer.concat(chunks);
      if (req.headers["content-encoding"] === "gzip") body = gunzipSync(body);
      handle(body.toString("utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l).id), res);
    });
  });
  await new Promise((resolve) => s.listen(0, "127.0.0.1", resolve));
  return s;
}

/**
 * Runs the case: `records` records at `rate` per second through a routeSink over three httpSink
 * targets, the first one `bad` ("503" or "hang"); `target(i)` gives target i's httpSink options
 * (none by default), `breaker` the router's. Resolves once the logger has closed with
 * `{ sent, lost, doubled, refused, worstMs, medianMs, accepted, failedOver, dropped, seconds }`:
 * `worstMs`/`medianMs` run from the first refusal (503) or from being logged (hang) to the
 * acceptance elsewhere, over the ids the bad target refused or left unanswered.
 *
 * @param {any} sluice The library's entry for this runtime (mod.ts, or the built dist/mod.js).
 * @param {{ records: number, rate: number, bad: string, target?: (i: number) => object | undefined, breaker?: object }} options
 */
export async function runFailover(sluice, { records, rate, bad, target = () => undefined, breaker }) {
  const refusedAt = new Map();
  const loggedAt = new Float64Array(records);
  const acceptedAt = new Map();
  const acceptedBy = [0, 0, 0];
  let doubled = 0;
  const hung = [];
  const servers = await Promise.all([0, 1, 2].map((i) =>
    server((ids, res) => {
      const at = now();
      if (i === 0) {
        for (const id of ids) if (!refusedAt.has(id)) refusedAt.set(id, at);
        if (bad === "hang") return void hung.push(res);
        res.writeHead(503, { "retry-after": "1", "content-type": "text/plain" });
        return void res.end("busy");
      }
      acceptedBy[i] += ids.length;
      for (const id of ids) {
        if (acceptedAt.has(id)) doubled++;
        else acceptedAt.set(id, at);
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ accepted: ids.length, rejected: 0, errors: [] }));
    })
  ));
  const route = sluice.routeSink({
    targets: servers.map((s, i) => ({ name: `a${i}`, sink: sluice.httpSink(`http://127.0.0.1:${s.address().port}/ingest`, target(i)) })),
    breaker,
  });
  const log = sluice.createLogger({ sinks: [route], onError: () => {} });
  const started = now();
  try {
    let id = 0;
    // 100 ticks a second, each logging what the rate owes by then
    while (id < records) {
      const owed = Math.min(records, Math.floor(((now() - started) / 1000) * rate));
      for (; id < owed; id++) {
        loggedAt[id] = now();
        log.info("event", { id });
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    await log.close();
  } finally {
    for (const res of hung.splice(0)) res.destroy();
    await Promise.all(servers.map((s) => new Promise((resolve) => {
      s.close(resolve);
      s.closeAllConnections?.();
    })));
  }
  const delays = [];
  for (const [id, at] of refusedAt) {
    const accepted = acceptedAt.get(id);
    if (accepted !== undefined) delays.push(accepted - (bad === "503" ? at : loggedAt[id]));
  }
  delays.sort((a, b) => a - b);
  let lost = 0;
  for (let i = 0; i < records; i++) if (!acceptedAt.has(i)) lost++;
  return {
    sent: records, lost, doubled, refused: refusedAt.size,
    worstMs: Math.round(delays.at(-1) ?? 0), medianMs: Math.round(delays[delays.length >> 1] ?? 0),
    accepted: acceptedBy, failedOver: route.routeStats().failedOver, dropped: log.stats().dropped,
    seconds: Math.round((now() - started) / 100) / 10,
  };
}
