// `sluice consume` on a full disk (a real 256 KiB tmpfs, filled): it acks nothing it could not
// write, says why, tries again, and once space is back every record is on disk once, no line
// torn. Needs root to mount (skipped with a message otherwise, a failure under CI=true) and a
// real nats-server (natsSuitesRun).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { ensureStream } from "../jetstream.ts";
import { recordsOnDisk } from "./helpers/disk_records.ts";
import { publishBatch, startConsume, waitFor } from "./helpers/consume.ts";
import { natsSuitesRun, type NatsServer, startNats } from "./helpers/nats.ts";

const run = natsSuitesRun("consume disk suite (tests/jetstream_consume_disk.test.ts)");
const work = mkdtempSync(join(tmpdir(), "sluice-consume-disk-"));
const mnt = join(work, "mnt");
mkdirSync(mnt);
// mounted only when the suite runs: a skipped suite's afterAll never unmounts
const mounted = run && spawnSync("mount", ["-t", "tmpfs", "-o", "size=256k", "tmpfs", mnt]).status === 0;
if (run && !mounted) {
  const msg = "jetstream_consume_disk: skipping: mounting a tmpfs needs root";
  if (process.env.CI === "true") throw new Error(msg);
  console.log(msg);
}

describe.skipIf(!run || !mounted)("sluice consume on a full disk", () => {
  let server: NatsServer;
  let nc: NatsConnection;
  beforeAll(async () => {
    server = await startNats();
    nc = await connect({ servers: server.url });
  });
  afterAll(async () => {
    await nc?.close();
    await server?.stop();
    spawnSync("umount", [mnt]);
    rmSync(work, { recursive: true, force: true });
  });

  test("nothing is acked while the disk refuses; once space is back every record is on disk once", async () => {
    await ensureStream(await jetstreamManager(nc), { name: "FULL" });
    const consume = await startConsume(["--jetstream", server.url, "--stream", "FULL", "--dir", mnt]);
    const filler = join(mnt, "filler");
    try {
      for (;;) writeFileSync(filler, new Uint8Array(4096), { flag: "a" });
    } catch (err) {
      expect((err as { code?: string }).code).toBe("ENOSPC");
    }
    const js = jetstream(nc);
    for (let b = 0; b < 20; b++) await publishBatch(js, "sluice.full", b * 30, 30);
    await waitFor(() => /the disk refused a write \(ENOSPC/.test(consume.output()), 15_000, "the disk warning");
    const held = recordsOnDisk(mnt).length; // whole lines only (recordsOnDisk parses each)
    expect(held).toBeLessThan(600);
    const info = await (await jetstreamManager(nc)).consumers.info("FULL", "sluice-consume");
    expect(info.ack_floor.stream_seq).toBeLessThan(60); // what is not on disk is not acked
    rmSync(filler);
    await waitFor(() => recordsOnDisk(mnt).length === 600, 15_000, "600 records after space came back");
    expect(await consume.stop()).toBe(0);
    expect(recordsOnDisk(mnt)).toEqual(Array.from({ length: 600 }, (_, i) => i));
    expect(consume.output()).toMatch(/wrote 600 records in 60 messages, skipped 0 already on disk, dead-lettered 0, disk retries [1-9]/);
  }, 60_000);
});
