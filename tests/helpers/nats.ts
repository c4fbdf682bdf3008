// A real nats-server with JetStream for the NATS suites: started on a free loopback port, its
// store in a temporary directory, stopped by the returned function. `natsServerPath` is
// undefined when nats-server is not installed (the suites then skip, or fail under CI=true).
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { NatsConnection } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import { decodeMessage } from "../../jetstream.ts";
import { recordFields } from "../../mod.ts";

const which = spawnSync("sh", ["-c", "command -v nats-server"], { encoding: "utf8" });
export const natsServerPath: string | undefined = which.status === 0 ? which.stdout.trim() : undefined;

/** Whether the NATS suites run; says plainly when they are skipped, throws under CI=true. */
export function natsSuitesRun(suite: string): boolean {
  if (natsServerPath !== undefined) return true;
  if (process.env.CI === "true") throw new Error(`${suite}: nats-server is not on PATH and CI=true (.ci/run installs it with apt-get)`);
  console.log(`SKIPPED ${suite}: nats-server is not on PATH (apt-get install -y nats-server to run it)`);
  return false;
}

/** A running nats-server: its client URL, a SIGKILL that keeps its store (`down`), a restart on the same port and store (`up`), and stop. */
export interface NatsServer {
  url: string;
  /** SIGKILLs the server, keeping its store: clients see it go away. */
  down(): Promise<void>;
  /** Starts it again on the same port with the same store. */
  up(): Promise<void>;
  /** The server's process id (for SIGSTOP/SIGCONT). */
  pid(): number;
  stop(): Promise<void>;
}

/** Starts `nats-server -js` on 127.0.0.1 with a free port; resolves once it listens. */
export async function startNats(): Promise<NatsServer> {
  const store = mkdtempSync(join(tmpdir(), "sluice-nats-"));
  const port = await freePort();
  let child: ReturnType<typeof spawn>;
  const up = async () => {
    child = spawn(natsServerPath!, ["-js", "-a", "127.0.0.1", "-p", String(port), "-sd", store], { stdio: ["ignore", "pipe", "pipe"] });
    let log = "";
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`nats-server did not start in 10 s:\n${log}`)), 10_000);
      const look = (chunk: Buffer) => {
        log += chunk;
        if (/Server is ready/.test(log)) (clearTimeout(timer), resolve());
      };
      child.stdout!.on("data", look);
      child.stderr!.on("data", look);
      child.once("exit", (code) => (clearTimeout(timer), reject(new Error(`nats-server exited (${code}):\n${log}`))));
    });
  };
  const down = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((r) => child.once("exit", r));
    child.kill("SIGKILL");
    await gone;
  };
  await up();
  return {
    url: `nats://127.0.0.1:${port}`,
    down,
    up,
    pid: () => child.pid!,
    async stop() {
      await down();
      rmSync(store, { recursive: true, force: true });
    },
  };
}

/** A free loopback port (bound, read, released: nats-server's cluster ports must be known in advance). */
async function freePort(): Promise<number> {
  const { createServer } = await import("node:net");
  return await new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** A 3-node JetStream cluster on loopback: each node's URL, a SIGKILL of one node, its restart, and stop. */
export interface NatsCluster {
  urls: string[];
  kill(node: number): Promise<void>;
  /** Starts a killed node again on its ports and store; resolves once it is ready. */
  restart(node: number): Promise<void>;
  stop(): Promise<void>;
}

/** Starts three `nats-server -js` nodes routed to each other; resolves once each listens. */
export async function startNatsCluster(): Promise<NatsCluster> {
  const client = [await freePort(), await freePort(), await freePort()];
  const route = [await freePort(), await freePort(), await freePort()];
  const routes = route.map((p) => `nats://127.0.0.1:${p}`).join(",");
  const stores = [0, 1, 2].map((i) => mkdtempSync(join(tmpdir(), `sluice-nats-${i}-`)));
  const start = async (i: number) => {
    const child = spawn(natsServerPath!, ["-js", "-a", "127.0.0.1", "-p", String(client[i]), "-n", `n${i}`, "-sd", stores[i],
      "--cluster_name", "sluice", "--cluster", `nats://127.0.0.1:${route[i]}`, "--routes", routes], { stdio: ["ignore", "pipe", "pipe"] });
    let log = "";
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`nats-server n${i} did not start in 10 s:\n${log}`)), 10_000);
      const look = (chunk: Buffer) => {
        log += chunk;
        if (/Server is ready/.test(log)) (clearTimeout(timer), resolve());
      };
      child.stdout!.on("data", look);
      child.stderr!.on("data", look);
    });
    return child;
  };
  const children = await Promise.all([0, 1, 2].map(start));
  const kill = async (i: number) => {
    const child = children[i];
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((r) => child.once("exit", r));
    child.kill("SIGKILL");
    await gone;
  };
  return {
    urls: client.map((p) => `nats://127.0.0.1:${p}`),
    kill,
    async restart(i) {
      children[i] = await start(i);
    },
    async stop() {
      for (const i of [0, 1, 2]) await kill(i);
      for (const s of stores) rmSync(s, { recursive: true, force: true });
    },
  };
}

/** Every record in the stream, by its `id` field: how many times each is stored. */
export async function storedIds(nc: NatsConnection, stream: string): Promise<Map<string, number>> {
  // just after a restart the test's own connection may still be reconnecting, and while a
  // cluster elects a stream leader reads answer "JetStream system temporarily unavailable"
  // (in CI once for more than 5 s, once for more than 30 s): each request is asked again, for
  // at most 60 s in all, so a read that had got far does not start over
  const end = Date.now() + 60_000;
  const again = async <T>(ask: () => Promise<T>): Promise<T> => {
    for (;;) {
      try {
        return await ask();
      } catch (err) {
        if (Date.now() > end) throw err;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  };
  const jsm = await again(() => jetstreamManager(nc, { timeout: 2000 }));
  const { state } = await again(() => jsm.streams.info(stream));
  const seen = new Map<string, number>();
  for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
    const m = await again(() => jsm.streams.getMessage(stream, { seq }));
    for (const r of decodeMessage(m.data)) {
      const id = String(recordFields(r).id ?? `${r.category}:${r.msg}`);
      seen.set(id, (seen.get(id) ?? 0) + 1);
    }
  }
  return seen;
}
