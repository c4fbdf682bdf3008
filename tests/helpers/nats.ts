// A real nats-server with JetStream for the NATS suites: started on a free loopback port, its
// store in a temporary directory, stopped by the returned function. `natsServerPath` is
// undefined when nats-server is not installed (the suites then skip, or fail under CI=true).
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const which = spawnSync("sh", ["-c", "command -v nats-server"], { encoding: "utf8" });
export const natsServerPath: string | undefined = which.status === 0 ? which.stdout.trim() : undefined;

/** Whether the NATS suites run; says plainly when they are skipped, throws under CI=true. */
export function natsSuitesRun(suite: string): boolean {
  if (natsServerPath !== undefined) return true;
  if (process.env.CI === "true") throw new Error(`${suite}: nats-server is not on PATH and CI=true (.ci/run installs it with apt-get)`);
  console.log(`SKIPPED ${suite}: nats-server is not on PATH (apt-get install -y nats-server to run it)`);
  return false;
}

/** A running nats-server: its client URL and a stop function. */
export interface NatsServer {
  url: string;
  stop(): Promise<void>;
}

/** Starts `nats-server -js` on 127.0.0.1 with a random port; resolves once it listens. */
export async function startNats(): Promise<NatsServer> {
  const store = mkdtempSync(join(tmpdir(), "sluice-nats-"));
  const child = spawn(natsServerPath!, ["-js", "-a", "127.0.0.1", "-p", "-1", "-sd", store], { stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`nats-server did not start in 10 s:\n${log}`)), 10_000);
    const look = (chunk: Buffer) => {
      log += chunk;
      const m = /Listening for client connections on (\S+:\d+)/.exec(log);
      if (m) (clearTimeout(timer), resolve(`nats://${m[1]}`));
    };
    child.stdout!.on("data", look);
    child.stderr!.on("data", look);
    child.once("exit", (code) => (clearTimeout(timer), reject(new Error(`nats-server exited (${code}):\n${log}`))));
  });
  return {
    url,
    async stop() {
      if (child.exitCode === null) {
        const gone = new Promise((r) => child.once("exit", r));
        child.kill("SIGKILL");
        await gone;
      }
      rmSync(store, { recursive: true, force: true });
    },
  };
}
