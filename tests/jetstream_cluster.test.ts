// A real 3-node nats-server cluster (Debian's 2.9.10 with the 3.x client): a stream made by
// ensureStream with 3 replicas keeps taking batches when one node is SIGKILLed, and the
// duplicate window still stores a batch sent again (same msgID) once; two collectors publishing
// (serve --jetstream's store) while a node is SIGKILLed store every record once.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { ensureStream, jetstreamStore } from "../jetstream.ts";
import { createIngestApp } from "../server.ts";
import { type NatsCluster, natsSuitesRun, startNatsCluster, storedIds } from "./helpers/nats.ts";

const run = natsSuitesRun("jetstream cluster suite (tests/jetstream_cluster.test.ts)");

describe.skipIf(!run)("JetStream R=3 on a 3-node cluster", () => {
  let cluster: NatsCluster;
  let nc: NatsConnection;
  beforeAll(async () => {
    cluster = await startNatsCluster();
    nc = await connect({ servers: cluster.urls.slice(1), reconnectTimeWait: 100 });
  });
  afterAll(async () => {
    await nc?.close();
    await cluster?.stop();
  });

  test("one node SIGKILLed mid-run: every batch stored once, resent batches not doubled", async () => {
    // the cluster elects its meta leader after start: ask until it answers (bounded)
    let made;
    const until = Date.now() + 40_000; // an election on a loaded 2-core machine can take many seconds
    while (made === undefined) {
      try {
        made = await ensureStream(await jetstreamManager(nc, { timeout: 1000 }), { name: "R3", replicas: 3 });
      } catch (err) {
        if (Date.now() > until) throw err;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    expect(made.config.num_replicas).toBe(3);
    const js = jetstream(nc);
    const publish = async (n: number) => {
      for (let tries = 0; ; tries++) {
        try {
          return await js.publish("sluice.r3.edge", new TextEncoder().encode(`{"n":${n}}\n`), { msgID: `k${n}`, timeout: 2000 });
        } catch (err) {
          if (tries > 50) throw err; // a leader election after the kill: the same msgID again, as a collector would
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    };
    for (let n = 0; n < 100; n++) await publish(n);
    await cluster.kill(0);
    for (let n = 100; n < 200; n++) await publish(n);
    const again = await publish(150); // a batch retried (to another collector): same msgID
    expect(again.duplicate).toBe(true);
    // after the kill the meta leader may be moving: ask until it answers (bounded), as for the set-up
    let info;
    for (const end = Date.now() + 40_000; info === undefined;) {
      try {
        info = await (await jetstreamManager(nc, { timeout: 2000 })).streams.info("R3");
      } catch (err) {
        if (Date.now() > end) throw err;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    expect(info.state.messages).toBe(200);
    expect(info.state.first_seq).toBe(1);
    expect(info.state.last_seq).toBe(200);
  }, 90_000);

  test("two collectors publishing while the stream's leader is SIGKILLed: every record stored once, none lost", async () => {
    await cluster.restart(0); // the first test's victim is back; this one kills another node
    for (const end = Date.now() + 40_000; ;) {
      try {
        await ensureStream(await jetstreamManager(nc, { timeout: 1000 }), { name: "SERVE3", replicas: 3 });
        break;
      } catch (err) {
        if (Date.now() > end) throw err;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    const dir = "/nonexistent-unused"; // the store takes the records: nothing is written to dir
    const collectors = await Promise.all([0, 1].map(async (i) => createIngestApp({
      dir,
      noAuth: true,
      store: await jetstreamStore({ servers: i === 0 ? cluster.urls : [...cluster.urls].reverse(), stream: "SERVE3", create: false, publishTimeoutMs: 2000 }),
    })));
    let refused = 0;
    // a producer as httpSink behaves: a batch keeps its Idempotency-Key and is sent again, to
    // the other collector, until one answers 2xx
    const send = async (batch: number) => {
      const body = Array.from({ length: 20 }, (_, k) => JSON.stringify({ msg: "m", id: `b${batch}-${k}`, category: k % 2 ? "http" : "db" })).join("\n");
      for (let tries = 0; ; tries++) {
        const res = await collectors[(batch + tries) % 2].request("/ingest", { method: "POST", body, headers: { "content-type": "application/x-ndjson", "idempotency-key": `k${batch}` } });
        if (res.status === 200) return;
        expect(res.status).toBe(503);
        expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
        refused++;
        if (tries > 200) throw new Error(`batch ${batch} never stored`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const producers = [0, 1, 2, 3].map(async (p) => {
      for (let n = p; n < 200; n += 4) await send(n);
    });
    await new Promise((r) => setTimeout(r, 300));
    // the stream's leader goes: publishes wait for an election, time out, and are answered 503
    const leader = (await (await jetstreamManager(nc, { timeout: 2000 })).streams.info("SERVE3")).cluster?.leader ?? "n1";
    await cluster.kill(Number(leader.slice(1)));
    await Promise.all(producers);
    let ids = new Map<string, number>();
    for (const end = Date.now() + 40_000; ids.size < 4000 && Date.now() < end;) ids = await storedIds(nc, "SERVE3");
    expect([...ids].filter(([, n]) => n !== 1)).toEqual([]);
    expect(ids.size).toBe(4000);
    console.log(`R=3, the stream's leader ${leader} SIGKILLed while 2 collectors published 4000 records: ${ids.size} stored, 0 doubled; ${refused} answers were 503 and retried`);
    for (const c of collectors) await c.close();
  }, 180_000);
});
