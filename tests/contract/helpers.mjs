// Helpers shared by the contract cases on every runtime.
import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A fresh temporary directory. */
export function tempDir() {
  return mkdtempSync(join(tmpdir(), "sluice-test-"));
}

/** The NDJSON lines of a file, parsed ([] when it does not exist). */
export function readLines(path) {
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8").split("\n").filter((l) => l !== "").map((l) => JSON.parse(l));
}

/** A WritableStream that collects chunks as text and can be paused. */
export function memoryWritable() {
  const chunks = [];
  let gate = null;
  const dec = new TextDecoder();
  const writable = new WritableStream({
    async write(chunk) {
      if (gate) await gate.promise;
      chunks.push(dec.decode(chunk));
    },
  });
  return {
    writable,
    lines: () => chunks.join("").split("\n").filter(Boolean).map((l) => JSON.parse(l)),
    pause() {
      let resolve;
      const promise = new Promise((r) => (resolve = r));
      gate = { promise, resolve };
    },
    resume() {
      const g = gate;
      gate = null;
      g?.resolve();
    },
  };
}

/** A synchronous in-memory sink that records every write (or throws when told to). */
export function memorySink(options = {}) {
  const lines = [];
  const sink = {
    name: options.name ?? "memory",
    level: options.level,
    sync: true,
    defaultOnFull: "block",
    fail: false,
    encode: (records) => records.map((r) => JSON.stringify(r)),
    write(chunk) {
      if (sink.fail) throw new Error("disk on fire");
      for (const l of chunk) lines.push(JSON.parse(l));
    },
    close() {},
  };
  return { sink, lines };
}

/** Sleeps. */
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
