// `sluice consume --postgres` against a real nats-server and a real PostgreSQL (throwaway
// ones), as child processes: records published as the collectors publish them are committed
// into the table; SIGKILLed 5 times at seeded random points while a publisher keeps going,
// every record is in the table once (each message's stream sequence is committed with its
// rows); a second process with the same --name is refused; a poison message is dead-lettered.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { jetstream, type JetStreamClient, jetstreamManager } from "@nats-io/jetstream";
import { ensureStream } from "../jetstream.ts";
import { publishBatch, startConsume, waitFor } from "./helpers/consume.ts";
import { natsSuitesRun, type NatsServer, startNats } from "./helpers/nats.ts";
import { type PostgresServer, postgresSuitesRun, startPostgres } from "./helpers/postgres.ts";

const run = natsSuitesRun("consume --postgres suite (tests/postgres_consume.test.ts)") && postgresSuitesRun("consume --postgres suite (tests/postgres_consume.test.ts)");

describe.skipIf(!run)("sluice consume --postgres", () => {
  let nats: NatsServer;
  let pg: PostgresServer;
  let nc: NatsConnection;
  let js: JetStreamClient;
  beforeAll(async () => {
    [nats, pg] = await Promise.all([startNats(), startPostgres()]);
    nc = await connect({ servers: nats.url });
    js = jetstream(nc);
  }, 60_000);
  afterAll(async () => {
    await nc?.close();
    await nats?.stop();
    await pg?.stop();
  });
  const stream = async (name: string) => void await ensureStream(await jetstreamManager(nc), { name });
  const counts = (table: string) => new Map(pg.psql(`select record->>'i', count(*) from ${table} group by 1`).split("\n").filter(Boolean).map((l) => l.split("|").map(Number) as [number, number]));

  test("commits each message's records; a second process with the same --name is refused; a poison message is dead-lettered", async () => {
    await stream("PGONE");
    const dir = mkdtempSync(join(tmpdir(), "sluice-pg-consume-"));
    for (let b = 0; b < 10; b++) await publishBatch(js, "sluice.pgone", b * 30, 30);
    await js.publish("sluice.pgone.a", new TextEncoder().encode("not json\n"));
    const args = ["--jetstream", nats.url, "--stream", "PGONE", "--postgres", pg.url, "--table", "c_one", "--dir", dir];
    const c = await startConsume(args);
    try {
      expect(c.output()).toContain("writing to PostgreSQL table c_one");
      await waitFor(() => counts("c_one").size === 300, 15_000, "300 rows");
      const second = await startConsume(args).then((p) => p.stop().then(() => "started"), (err) => String(err));
      expect(second).toContain("sluice consume: another consume --name sluice-consume is writing to table c_one; one process per name");
      await waitFor(() => existsSync(join(dir, ".sluice/dead/31.msg")), 5000, "the dead letter");
    } finally {
      expect(await c.stop()).toBe(0);
    }
    expect(c.output()).toContain("wrote 300 records in 30 messages, skipped 0 already in the table, dead-lettered 1, commit retries 0");
    expect(pg.psql("select count(*) from c_one where category = 'a'")).toBe("100");
  }, 60_000);

  test("a message PostgreSQL refuses for what it holds (a number jsonb cannot hold) is dead-lettered; the messages taken with it are committed, the consumer goes on", async () => {
    await stream("PGBAD");
    const dir = mkdtempSync(join(tmpdir(), "sluice-pg-consume-bad-"));
    await publishBatch(js, "sluice.pgbad", 0, 10);
    const huge = `{"time":"${new Date().toISOString()}","level":"info","category":"a","msg":"huge","n":1e200000}\n`;
    await js.publish("sluice.pgbad.a", new TextEncoder().encode(huge));
    await publishBatch(js, "sluice.pgbad", 10, 10);
    const c = await startConsume(["--jetstream", nats.url, "--stream", "PGBAD", "--postgres", pg.url, "--table", "c_bad", "--dir", dir]);
    try {
      await waitFor(() => counts("c_bad").size === 20, 15_000, "20 rows");
      await waitFor(() => readdirSync(join(dir, ".sluice/dead")).some((n) => n.endsWith(".msg")), 5000, "the dead letter");
    } finally {
      expect(await c.stop()).toBe(0);
    }
    expect(c.output()).toContain("is refused by PostgreSQL, dead-lettered");
    expect(pg.psql("select count(*) from c_bad where msg = 'huge'")).toBe("0");
  }, 60_000);

  test("SIGKILLed 5 times at seeded random points while a publisher keeps going: every record in the table once", async () => {
    await stream("PGKILL");
    const dir = mkdtempSync(join(tmpdir(), "sluice-pg-consume-"));
    const args = ["--jetstream", nats.url, "--stream", "PGKILL", "--postgres", pg.url, "--table", "c_kill", "--dir", dir, "--ack-wait", "1s"];
    let seed = 20;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    let published = 0;
    let publishing = true;
    const publisher = (async () => {
      while (publishing) {
        await publishBatch(js, "sluice.pgkill", published, 30);
        published += 30;
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    for (let kill = 0; kill < 5; kill++) {
      const c = await startConsume(args);
      await new Promise((r) => setTimeout(r, 100 + random() * 500));
      expect(await c.stop("SIGKILL")).toBe(null);
    }
    publishing = false;
    await publisher;
    const last = await startConsume(args);
    try {
      await waitFor(() => counts("c_kill").size >= published, 30_000, `${published} rows`);
      await new Promise((r) => setTimeout(r, 1500)); // past the ack wait: anything delivered again is skipped
    } finally {
      expect(await last.stop()).toBe(0);
    }
    const seen = counts("c_kill");
    expect(published).toBeGreaterThan(1000);
    expect({ rows: seen.size, doubled: [...seen.values()].filter((n) => n !== 1).length }).toEqual({ rows: published, doubled: 0 });
    expect(Number(pg.psql("select count(*) from c_kill"))).toBe(published);
  }, 90_000);
});
