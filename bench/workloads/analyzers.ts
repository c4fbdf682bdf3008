// The seed-004 scenarios' analyzers: small HTTP servers in one process (started by
// bench/run_route.ts), each counting the records it receives by id. A control server answers
// GET /stats (per analyzer counts, duplicates, end-to-end latency percentiles), POST
// /stop?port=P and /start?port=P (kill and restart one analyzer on its port).
const ports = new Map<number, ReturnType<typeof Bun.serve> | undefined>();
const seen = new Uint8Array(50_000_000);
const counts = new Map<number, number>();
let duplicates = 0;
let latencies: number[] = [];

function analyzer(port = 0) {
  const s = Bun.serve({
    port, hostname: "127.0.0.1",
    async fetch(req) {
      const now = Date.now();
      const text = await req.text();
      let n = 0;
      for (const line of text.split("\n")) {
        if (!line) continue;
        const r = JSON.parse(line);
        if (seen[r.id]++ > 0) duplicates++;
        if ((r.id & 15) === 0) latencies.push(now - r.t);
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
    if (url.pathname === "/start") return Response.json({ port: analyzer(port || 0) });
    const sorted = latencies.sort((a, b) => a - b);
    const p = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
    const body = { counts: Object.fromEntries(counts), duplicates, p50: p(0.5), p99: p(0.99), max: sorted.at(-1) ?? 0, rssMb: Math.round(process.memoryUsage().rss / 2 ** 20) };
    if (url.searchParams.has("reset")) { latencies = []; }
    return Response.json(body);
  },
});
console.log(JSON.stringify({ control: control.port, ports: [...ports.keys()] }));
