// The failover case of issue 18, shared by tests/route_failover.test.ts (small) and
// bench/run_route_failover.ts (120,000 records at 10,000/s): a routeSink over three httpSink
// targets as a new user writes them (`httpSink(url)`, default options; default breaker), real
// HTTP servers on 127.0.0.1 in this process, one of them refusing (503 with Retry-After: 1) or
// never answering. Every record carries an id and the time it was logged; the servers note when
// each id was refused and when it was accepted, so lost, doubled and the time from a refusal to
// the acceptance elsewhere are counted, not inferred.
import { createLogger, httpSink, routeSink, type HttpSinkOptions, type RouteSink } from "../../mod.ts";

/** How the bad target answers: `503` (Retry-After: 1, as a busy collector does) or `hang` (never). */
export type BadMode = "503" | "hang";

/** What a run measured. */
export interface FailoverResult {
  sent: number;
  /** Ids accepted by no server. */
  lost: number;
  /** Ids accepted more than once. */
  doubled: number;
  /** Ids the bad target refused (503) or left unanswered (hang). */
  refused: number;
  /** For refused ids: the worst and median ms from the first refusal (503) or from being logged (hang) to the acceptance elsewhere. */
  worstMs: number;
  medianMs: number;
  /** Records each target accepted, the bad one first. */
  accepted: number[];
  failedOver: number;
  /** The logger's dropped counts (should be empty). */
  dropped: Record<string, number>;
  seconds: number;
}

const now = () => performance.now();

async function bodyText(req: Request): Promise<string> {
  if (req.headers.get("content-encoding") !== "gzip") return await req.text();
  return await new Response(req.body!.pipeThrough(new DecompressionStream("gzip"))).text();
}

/**
 * Runs the case: `records` records at `rate` per second through a routeSink over three
 * httpSink targets, the first one `bad`; resolves once the logger has closed.
 */
export async function runFailover(options: { records: number; rate: number; bad: BadMode; target?: (url: string, i: number) => HttpSinkOptions }): Promise<FailoverResult> {
  const { records, rate, bad } = options;
  const refusedAt = new Map<number, number>();
  const loggedAt = new Float64Array(records);
  const acceptedAt = new Map<number, number>();
  let doubled = 0;
  const hung: ((r: Response) => void)[] = [];
  const acceptedBy = [0, 0, 0];
  const serversUp = [0, 1, 2].map((i) =>
    Bun.serve({
      port: 0, hostname: "127.0.0.1", idleTimeout: 30,
      async fetch(req) {
        const text = await bodyText(req);
        const at = now();
        const ids = text.split("\n").filter(Boolean).map((l) => JSON.parse(l).id as number);
        if (i === 0) {
          for (const id of ids) if (!refusedAt.has(id)) refusedAt.set(id, at);
          if (bad === "503") return new Response("busy", { status: 503, headers: { "retry-after": "1" } });
          return new Promise<Response>((resolve) => hung.push(resolve));
        }
        acceptedBy[i] += ids.length;
        for (const id of ids) {
          if (acceptedAt.has(id)) doubled++;
          else acceptedAt.set(id, at);
        }
        return Response.json({ accepted: ids.length, rejected: 0, errors: [] });
      },
    })
  );
  const route: RouteSink = routeSink({
    targets: serversUp.map((s, i) => {
      const url = `http://127.0.0.1:${s.port}/ingest`;
      return { name: `a${i}`, sink: httpSink(url, options.target?.(url, i)) };
    }),
  });
  const log = createLogger({ sinks: [route], onError: () => {} });
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
    for (const resolve of hung.splice(0)) resolve(new Response("late", { status: 503 }));
    for (const s of serversUp) s.stop(true);
  }
  const delays: number[] = [];
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
    accepted: acceptedBy, failedOver: route.routeStats().failedOver, dropped: log.stats().dropped as Record<string, number>,
    seconds: Math.round((now() - started) / 100) / 10,
  };
}
