// Levels per category, the same on every runtime (Bun's suite is tests/levels.test.ts): levels
// for the root and its children, setLevels on loggers already made, a malformed spec, and
// SLUICE_LEVEL read from the real environment by a child process of the runtime under test.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A sink that keeps what it is given, and a logger over it in sync mode with no environment. */
function memoryLogger(sluice, options) {
  const msgs = [];
  const sink = { name: "memory", sync: true, defaultOnFull: "block", encode: (r) => [...r], write: (r) => void msgs.push(...r.map((x) => x.msg)), close() {} };
  const runtime = { ...sluice.detectRuntime(), env: () => undefined };
  return { msgs, log: sluice.createLogger({ runtime, mode: "sync", exitHooks: false, sinks: [sink], ...options }) };
}

/**
 * Runs the in-process cases; returns what each logged and the errors it saw, for the runtime's
 * own assertions.
 */
export function levelScenarios(sluice) {
  const { msgs, log } = memoryLogger(sluice, { levels: "warn,db=debug,http.*=error,-noisy" });
  const db = log.child({}, { category: "db" }).child({ reqId: "r1" });
  const http = log.child({}, { category: "http" }).child({}, { category: "in" });
  const noisy = log.child({}, { category: "noisy" });
  log.info("root info");
  log.warn("root warn");
  db.debug("db debug");
  http.warn("http warn");
  http.error("http error");
  noisy.fatal("noisy fatal");
  log.setLevels("trace,-db");
  db.fatal("db silenced");
  http.trace("http trace");
  let malformed;
  try {
    log.setLevels("info,db=verbose");
  } catch (err) {
    malformed = `${err.name}: ${err.message}`;
  }
  noisy.trace("noisy trace");
  return { msgs, malformed, levels: [log.level, db.level, http.level, noisy.level] };
}

/** What the scenario above must give. */
export const expectedLevels = {
  msgs: ["root warn", "db debug", "http error", "http trace", "noisy trace"],
  malformed: 'TypeError: sluice: setLevels "info,db=verbose", part "db=verbose": unknown level "verbose"; expected one of trace, debug, info, warn, error, fatal, silent',
  levels: ["trace", "silent", "trace", "trace"],
};

/**
 * Writes a script that makes a logger with no level in code and prints its level and that of a
 * `db` child: what `SLUICE_LEVEL` gave it. `entry` is the library's path for that runtime.
 */
export function envScript(entry) {
  const dir = mkdtempSync(join(tmpdir(), "sluice-levels-env-"));
  const file = join(dir, "env.mjs");
  writeFileSync(file, `import { createLogger } from ${JSON.stringify(entry)};
const log = createLogger({ sinks: [], exitHooks: false });
console.log(log.level + " " + log.child({}, { category: "db" }).level);`);
  return file;
}
