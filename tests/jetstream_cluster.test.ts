// A real 3-node nats-server cluster (Debian's 2.9.10 with the 3.x client): a stream made by
// ensureStream with 3 replicas keeps taking batches when one node is SIGKILLed, and the
// duplicate window still stores a batch sent again (same msgID) once.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { ensureStream } from "../jetstream.ts";
import { type NatsCluster, natsSuitesRun, startNatsCluster } from "./helpers/nats.ts";

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
});
