// The volume stages on any runtime (its AsyncLocalStorage, its timers): fingersCrossed keeps two
// concurrent requests apart across awaits and timers, throttle passes exactly max per key per
// window (a fake clock), sample keeps 10% ± 2% of 10,000 traced records. Throws on the first
// broken expectation.
export async function volumeScenario(sluice) {
  const { createLogger, createRecord, fingersCrossed, sample, throttle, withContext, withThrough } = sluice;
  const check = (ok, what) => {
    if (!ok) throw new Error(what);
  };
  const lines = [];
  const memory = (through) =>
    withThrough({ name: "memory", sync: true, defaultOnFull: "block", encode: (rs) => rs.map((r) => JSON.parse(r.json)), write: (c) => void lines.push(...c), close() {} }, through);

  const log = createLogger({ level: "debug", exitHooks: false, sinks: [memory([fingersCrossed()])] });
  const request = (reqId, fail) =>
    withContext({ reqId }, async () => {
      for (let i = 0; i < 4; i++) {
        log.debug("step", { i });
        await new Promise((r) => setTimeout(r, 1));
      }
      if (fail) log.error("failed");
    });
  await Promise.all([request("r1", true), request("r2", false), request("r3", true)]);
  await log.close();
  const of = (id) => lines.filter((l) => l.reqId === id).map((l) => l.msg + (l.i ?? ""));
  check(JSON.stringify(of("r1")) === JSON.stringify(["step0", "step1", "step2", "step3", "failed"]), `r1: ${JSON.stringify(of("r1"))}`);
  check(JSON.stringify(of("r3")) === JSON.stringify(["step0", "step1", "step2", "step3", "failed"]), `r3: ${JSON.stringify(of("r3"))}`);
  check(of("r2").length === 0, `r2 released: ${JSON.stringify(of("r2"))}`);
  const fc = log.stats().sinks[0].stages[0];
  check(fc.released === 8 && fc.closed === 4 && fc.held === 0, `fingersCrossed stats ${JSON.stringify(fc)}`);

  let now = 0;
  const t = throttle({ max: 3, windowMs: 1000, now: () => now });
  let passed = 0;
  for (let w = 0; w < 3; w++) {
    now = w * 1000 + 1;
    passed += t.transform(Array.from({ length: 40 }, () => createRecord(now, "warn", "db", "slow", "}"))).filter((r) => r.msg === "slow").length;
  }
  check(passed === 9, `throttle passed ${passed}`);
  const rest = t.drain(true);
  check(rest.length === 1 && JSON.parse(rest[0].json).suppressed === 37, `throttle summary ${rest.map((r) => r.json)}`);

  const s = sample({ rate: 0.1 });
  const kept = s.transform(Array.from({ length: 10_000 }, (_, i) => createRecord(0, "info", undefined, "req", `,"trace_id":"${(i * 2654435761 >>> 0).toString(16)}a3ce929d0e0e4736"}`))).length;
  check(kept >= 800 && kept <= 1200, `sample kept ${kept} of 10,000`);
  return { kept };
}
