// withContext/getContext on Deno: the shared scenarios (await, timers, streams, interleaved
// requests, nesting, traceparent).
import * as sluice from "../../mod.ts";
import { contextScenarios } from "../scenarios/context.mjs";

Deno.test("withContext keeps fields across await, timers and streams; interleaved requests stay apart", async () => {
  const records = await contextScenarios(sluice);
  if (records.length !== 20) throw new Error(`expected 20 records, got ${records.length}`);
});

Deno.test("a record logged in withContext right before close(): close resolves and the record is written (Deno's pipe may write it inside flush's expedite)", async () => {
  const lines: string[] = [];
  const sink = { name: "memory", sync: true, defaultOnFull: "block" as const, encode: (rs: readonly sluice.LogRecord[]) => rs.map((r) => r.json), write: (ls: string[]) => void lines.push(...ls), close() {} };
  const log = sluice.createLogger({ exitHooks: false, sinks: [sink] });
  await sluice.withContext({ jobId: 7 }, async () => {
    await new Promise((r) => setTimeout(r, 1));
    log.info("working");
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const closed = await Promise.race([log.close().then(() => true), new Promise<boolean>((r) => timer = setTimeout(() => r(false), 5_000))]);
  clearTimeout(timer);
  if (!closed) throw new Error("close() did not resolve within 5 s");
  if (lines.length !== 1 || !lines[0].includes('"msg":"working","jobId":7')) throw new Error(`expected the record, got ${JSON.stringify(lines)}`);
});
