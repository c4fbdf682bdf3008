// The seed-004 scenarios' analyzers: small HTTP servers in one process (started by
// bench/workloads/route_scenarios.ts for bench/run_route.ts and bench/run_route_collector.ts),
// each counting the records it receives by id. A record's `t` is when it was logged (ms since
// the epoch): its end-to-end latency is the time of receipt minus `t` (not kept for records
// marked `warm: 1`). A control server answers
// GET /stats (per analyzer counts, duplicates, end-to-end latency percentiles), GET /counts
// (the counts and duplicates alone, cheap enough to poll), POST /stop?port=P (kill one analyzer),
// /hang?port=P (it takes requests and answers none) and /start?port=P (answer again, or start it
// again on its port).
const ports = new Map<number, ReturnType<typeof Bun.serve> | undefined>();
const seen = new Uint8Array(50_000_000);
const counts = new Map<number, number>();
let duplicates = 0;
const latencies: number[] = [];
/** Analyzers that stop answering (/hang): their requests wait here until /start. */
const held = new Map<number, { until: Promise<void>; release(): void }>();

function analyzer(port = 0) {
  const s = Bun.serve({
    port, hostname: "127.0.0.1",
    async fetch(req) {
      const text = await req.text();
      await held.get(s.port)?.until;
      const now = Date.now();
      let n = 0;
      for (const line of text.split("\n")) {
        if (!line) continue;
        const r = JSON.parse(line);
        if (seen[r.id]++ > 0) duplicates++;
        if (r.warm !== 1) latencies.push(now - r.t);
        n++;
      }
      counts.set(s.port, (counts.get(s.port) ?? 0) + n);
      return new Response(null, { status: 204 });
    },
  });
  ports.set(s.port, s);
  return s.port;
}

const initial = Number(process.argv[2] ?? 10);
for (let i = 0; i < initial; i++) analyzer();
const control = Bun.serve({
  port: 0, hostname: "127.0.0.1",
  fetch(req) {
    const url = new URL(req.url);
    const port = Number(url.searchParams.get("port"));
    if (url.pathname === "/stop") { ports.get(port)?.stop(true); ports.set(port, undefined); return Response.json({ port }); }
    if (url.pathname === "/hang") {
      let release!: () => void;
      held.set(port, { until: new Promise((r) => (release = r)), release });
      return Response.json({ port });
    }
    if (url.pathname === "/start" && held.has(port)) {
      held.get(port)!.release();
      held.delete(port);
      return Response.json({ port });
    }
    if (url.pathname === "/start") return Response.json({ port: analyzer(port || 0) });
    if (url.pathname === "/counts") return Response.json({ counts: Object.fromEntries(counts), duplicates });
    const sorted = latencies.sort((a, b) => a - b);
    const p = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
    return Response.json({ counts: Object.fromEntries(counts), duplicates, p50: p(0.5), p99: p(0.99), max: sorted.at(-1) ?? 0 });
  },
});
console.log(JSON.stringify({ control: control.port, ports: [...ports.keys()] }));
