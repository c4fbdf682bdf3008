// N clients following a collector's /api/tail (everything), as N consoles would: each reads its
// stream as fast as it comes and counts events. Runs until SIGTERM, then prints one JSON line:
// events read per client, dropped reports, bytes.
const url = process.env.URL ?? "http://127.0.0.1:18080";
const n = Number(process.env.N ?? 20);
const token = process.env.TOKEN ?? "";
const stats = Array.from({ length: n }, () => ({ events: 0, dropped: 0, bytes: 0 }));
const ctrl = new AbortController();
const nl = "\n\n";
await Promise.all(stats.map(async (s) => {
  const res = await fetch(`${url}/api/tail`, { headers: { authorization: `Bearer ${token}` }, signal: ctrl.signal });
  if (!res.ok) throw new Error(`tail answered ${res.status}`);
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "";
  (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        s.bytes += value.length;
        buf += value;
        let end;
        while ((end = buf.indexOf(nl)) >= 0) {
          const block = buf.slice(0, end);
          buf = buf.slice(end + 2);
          if (block.startsWith("id:")) s.events++;
          else if (block.startsWith("event: dropped")) s.dropped += JSON.parse(block.slice(block.indexOf("data: ") + 6)).dropped;
        }
      }
    } catch {
      // aborted at the end
    }
  })();
}));
console.error(`${n} tail clients connected`);
process.on("SIGTERM", () => {
  ctrl.abort();
  console.log(JSON.stringify({ clients: n, events: stats.map((s) => s.events), dropped: stats.reduce((a, s) => a + s.dropped, 0), bytes: stats.reduce((a, s) => a + s.bytes, 0) }));
  process.exit(0);
});
