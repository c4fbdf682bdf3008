// sluice/jetstream against a real nats-server (single node): the stream's creation, the check
// of an existing stream (never changed), the CLI's `sluice jetstream init`, and the duplicate
// window the collectors rely on (a batch published twice with one msgID is stored once).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { ensureStream, streamConfig } from "../jetstream.ts";
import { natsSuitesRun, type NatsServer, startNats } from "./helpers/nats.ts";

const run = natsSuitesRun("jetstream suite (tests/jetstream.test.ts)");

test("streamConfig refuses settings that cannot work, before any server is asked", () => {
  expect(() => streamConfig({ name: "a.b" })).toThrow(/letters, digits/);
  expect(() => streamConfig({ name: "LOGS", replicas: 7 })).toThrow(/replicas must be 1 to 5/);
  expect(() => streamConfig({ name: "LOGS", duplicateWindowMs: 0 })).toThrow(/duplicate window/);
  expect(() => streamConfig({ name: "LOGS", maxAgeMs: 1000, duplicateWindowMs: 2000 })).toThrow(/longer than the age/);
  const c = streamConfig({ name: "LOGS" });
  expect(c).toMatchObject({ subjects: ["sluice.logs.>"], storage: "file", num_replicas: 1, duplicate_window: 86_400_000 * 1e6, max_age: 7 * 86_400_000 * 1e6, max_bytes: -1 });
});

test("sluice jetstream: a missing subcommand or server URL is a one-line error, and nothing is contacted", () => {
  const cli = (...args: string[]) => spawnSync(process.execPath, ["cli.ts", "jetstream", ...args], { encoding: "utf8", timeout: 20_000 });
  const none = cli("--stream", "LOGS");
  expect([none.status, none.stderr.trim()]).toEqual([1, "sluice jetstream: the subcommand is init (sluice jetstream --help)"]);
  const noUrl = cli("init");
  expect([noUrl.status, noUrl.stderr.trim()]).toEqual([1, "sluice jetstream init: --jetstream URL is required (sluice jetstream --help)"]);
  const badUrl = cli("init", "--jetstream", "nats://a b:4222");
  expect([badUrl.status, badUrl.stderr.trim()]).toEqual([1, 'sluice jetstream init: --jetstream must be a NATS URL such as nats://127.0.0.1:4222, got "nats://a b:4222"']);
  const help = cli("--help");
  expect(help.stdout).toContain("--duplicate-window");
});

describe.skipIf(!run)("JetStream stream set-up against nats-server", () => {
  let server: NatsServer;
  let nc: NatsConnection;
  beforeAll(async () => {
    server = await startNats();
    nc = await connect({ servers: server.url });
  });
  afterAll(async () => {
    await nc?.close();
    await server?.stop();
  });

  test("ensureStream creates the stream once, then reports an existing one without changing it", async () => {
    const jsm = await jetstreamManager(nc);
    const first = await ensureStream(jsm, { name: "ENSURE", maxAgeMs: 3_600_000, duplicateWindowMs: 600_000 });
    expect(first.action).toBe("created");
    expect(first.config).toMatchObject({ storage: "file", num_replicas: 1, max_age: 3_600_000 * 1e6, duplicate_window: 600_000 * 1e6 });
    const again = await ensureStream(jsm, { name: "ENSURE", maxAgeMs: 3_600_000, duplicateWindowMs: 600_000 });
    expect(again).toMatchObject({ action: "exists", differences: [] });
    const other = await ensureStream(jsm, { name: "ENSURE", maxAgeMs: 7_200_000, duplicateWindowMs: 600_000 });
    expect(other.action).toBe("exists");
    expect(other.differences).toEqual(["max age is 3600000 ms, not 7200000 ms"]);
    expect((await jsm.streams.info("ENSURE")).config.max_age).toBe(3_600_000 * 1e6); // not clobbered
  });

  test("one msgID within the duplicate window is stored once (what a batch retried to another collector relies on)", async () => {
    await ensureStream(await jetstreamManager(nc), { name: "DEDUP" });
    const js = jetstream(nc);
    const body = new TextEncoder().encode('{"msg":"x"}\n');
    const a = await js.publish("sluice.dedup.edge", body, { msgID: "edge/edge/k1" });
    const b = await js.publish("sluice.dedup.edge", body, { msgID: "edge/edge/k1" });
    expect([a.duplicate, b.duplicate, b.seq]).toEqual([false, true, a.seq]);
    expect((await (await jetstreamManager(nc)).streams.info("DEDUP")).state.messages).toBe(1);
  });

  test("sluice jetstream init prints what it made, leaves an existing stream alone and says how it differs", () => {
    const cli = (...args: string[]) => spawnSync(process.execPath, ["cli.ts", "jetstream", "init", "--jetstream", server.url, ...args], { encoding: "utf8", timeout: 20_000 });
    const made = cli("--stream", "CLI", "--max-age", "2d", "--duplicate-window", "1h");
    expect(made.stderr).toBe("");
    expect(made.status).toBe(0);
    expect(made.stdout).toContain("created stream CLI: subjects sluice.cli.>, file storage: true, replicas 1, duplicate window 3600000 ms, max age 172800000 ms");
    const same = cli("--stream", "CLI", "--max-age", "2d", "--duplicate-window", "1h");
    expect([same.status, same.stdout.trim()]).toEqual([0, "stream CLI exists (left unchanged): subjects sluice.cli.>, file storage: true, replicas 1, duplicate window 3600000 ms, max age 172800000 ms, max bytes -1"]);
    const differs = cli("--stream", "CLI", "--replicas", "3");
    expect(differs.status).toBe(3);
    expect(differs.stdout).toContain("differs from what was asked: replicas is 1, not 3");
    const bad = cli("--stream", "CLI", "--bogus", "1");
    expect([bad.status, bad.stderr]).toEqual([1, expect.stringContaining("unknown flag --bogus")]);
  });
});
