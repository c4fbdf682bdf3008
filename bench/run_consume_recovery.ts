// Recovery of `sluice consume` (issue 11's target: after the consumer or a NATS node is
// killed, the backlog is on disk within 5 s of its return). Run on Bun, against real
// nats-server processes it starts on loopback:
//   consumer  one node; `sluice consume` SIGKILLed after WARM s, down DOWN s while records keep
//             coming, started again: time from its start until every record published is on disk
//   node      three nodes, the stream R=3; the node leading the consumer SIGKILLed after WARM s,
//             down DOWN s, started again: time from its return until every record is on disk
// The publisher sends RATE records/s in batches of 100 (one message per category, a, b and c,
// msgIDs kept across retries as a collector does) until the return. Every record is counted by
// its id: lost and doubled are reported, exit 1 if any. Env: RATE (default 10000), WARM (3),
// DOWN (5), SCENARIOS (consumer,node). Smoke: RATE=1000 WARM=1 DOWN=1 bun bench/run_consume_recovery.ts
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "@nats-io/transport-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { ensureStream } from "../jetstream.ts";
import { publishBatch, startConsume, untilAnswered } from "../tests/helpers/consume.ts";
import { startNats, startNatsCluster } from "../tests/helpers/nats.ts";

const RATE = Number(process.env.RATE ?? 10_000);
const WARM = Number(process.env.WARM ?? 3);
const DOWN = Number(process.env.DOWN ?? 5);
const SCENARIOS = (process.env.SCENARIOS ?? "consumer,node").split(",");
const BATCH = 100;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Lines on disk (cheap, polled), or every id (at the end). */
function onDisk(dir: string): string[] {
  return readdirSync(dir).filter((n) => n.endsWith(".ndjson")).flatMap((n) => readFileSync(join(dir, n), "utf8").split("\n").filter(Boolean));
}

type Consume = Awaited<ReturnType<typeof startConsume>>;

/** Runs one scenario; `fault.kill` gets the running consume, `fault.back` may return a new one. */
async function scenario(name: string, urls: string[], fault: { kill(c: Consume): Promise<void>; back(): Promise<Consume | void> }, dir: string) {
  const nc = await connect({ servers: urls, reconnectTimeWait: 100, maxReconnectAttempts: -1 });
  await untilAnswered(async () => ensureStream(await jetstreamManager(nc, { timeout: 1000 }), { name: "BENCH", replicas: urls.length }), 40_000);
  const js = jetstream(nc, { timeout: 2000 });
  let published = 0;
  let publishing = true;
  const publisher = (async () => {
    const start = performance.now();
    while (publishing) {
      const due = Math.floor(((performance.now() - start) / 1000) * RATE);
      if (published + BATCH > due) {
        await sleep(5);
        continue;
      }
      await untilAnswered(() => publishBatch(js, "sluice.bench", published, BATCH), 60_000);
      published += BATCH;
    }
  })();
  const args = ["--jetstream", urls.join(","), "--stream", "BENCH", "--dir", dir];
  let consume = await startConsume(args);
  await sleep(WARM * 1000);
  await fault.kill(consume);
  await sleep(DOWN * 1000);
  const back = performance.now();
  consume = (await fault.back()) ?? consume;
  publishing = false;
  await publisher;
  const stored = performance.now() - back; // the batch in flight at the return may be stored later
  while (onDisk(dir).length < published && performance.now() - back < 120_000) await sleep(20);
  const recovery = performance.now() - back;
  await sleep(6000); // past the ack wait: anything delivered again must be skipped
  await consume.stop();
  const ids = onDisk(dir).map((l) => JSON.parse(l).i as number);
  const unique = new Set(ids).size;
  const lost = published - unique;
  const doubled = ids.length - unique;
  console.log(`${name.padEnd(9)} RATE=${RATE} WARM=${WARM}s DOWN=${DOWN}s: ${published} published, ${ids.length} on disk, lost ${lost}, doubled ${doubled}; backlog on disk ${(recovery / 1000).toFixed(2)} s after the return (target 5 s; the last batch was stored ${(stored / 1000).toFixed(2)} s after it)`);
  await nc.close();
  return lost === 0 && doubled === 0;
}

let ok = true;
for (const name of SCENARIOS) {
  const dir = mkdtempSync(join(tmpdir(), "sluice-consume-bench-"));
  try {
    if (name === "consumer") {
      const server = await startNats();
      try {
        ok = await scenario(name, [server.url], {
          kill: async (c) => void await c.stop("SIGKILL"),
          back: () => startConsume(["--jetstream", server.url, "--stream", "BENCH", "--dir", dir]),
        }, dir) && ok;
      } finally {
        await server.stop();
      }
    } else if (name === "node") {
      const cluster = await startNatsCluster();
      let node = 0;
      try {
        ok = await scenario(name, cluster.urls, {
          kill: async () => {
            const nc = await connect({ servers: cluster.urls });
            const leader = (await (await jetstreamManager(nc)).consumers.info("BENCH", "sluice-consume")).cluster?.leader;
            await nc.close();
            node = Math.max(0, ["n0", "n1", "n2"].indexOf(leader ?? "n0"));
            await cluster.kill(node);
          },
          back: () => cluster.restart(node),
        }, dir) && ok;
      } finally {
        await cluster.stop();
      }
    } else throw new Error(`unknown scenario ${name} (consumer, node)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
process.exit(ok ? 0 : 1);
