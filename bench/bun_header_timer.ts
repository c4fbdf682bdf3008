// Issue 18's one miss, shown without sluice: a plain Bun.serve closes a connection whose request
// head trickles in (one byte a second) after uWebSockets' compiled-in 10 s header timer, checked on
// its 4-second tick, so 8 to 12.5 s after the connection opened, and `idleTimeout` does not change
// it (it bounds idle keep-alive connections, after a request). Six trickles, started 0.7 s apart
// so they fall on different phases of the tick, for each idleTimeout given.
//
//   bun bench/bun_header_timer.ts [idleTimeout seconds ...]   (default: 10 4)
import net from "node:net";

const idles = process.argv.slice(2).map(Number);
for (const idle of idles.length > 0 ? idles : [10, 4]) {
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", idleTimeout: idle, fetch: () => new Response("ok") });
  const trickle = (delayMs: number) =>
    new Promise<number>((resolve) =>
      setTimeout(() => {
        const opened = performance.now();
        const socket = net.connect(server.port, "127.0.0.1");
        const head = "POST /ingest HTTP/1.1\r\nHost: x\r\nX-Slow: " + "a".repeat(100);
        let i = 0;
        const timer = setInterval(() => socket.destroyed || socket.write(head[i++ % head.length]), 1000);
        socket.on("error", () => {});
        socket.on("close", () => (clearInterval(timer), resolve((performance.now() - opened) / 1000)));
      }, delayMs)
    );
  const closed = await Promise.all([0, 700, 1400, 2100, 2800, 3500].map(trickle));
  console.log(`Bun ${Bun.version}, idleTimeout ${idle}: header trickles closed after ${closed.map((s) => s.toFixed(1)).join(", ")} s`);
  server.stop(true);
}
