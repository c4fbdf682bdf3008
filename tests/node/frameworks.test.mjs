// sluice/express and sluice/fastify on Node, from the built package (dist/), with the real
// frameworks over HTTP on 127.0.0.1: the shared scenario (tests/scenarios/http_logging.mjs).
import { test } from "node:test";
import assert from "node:assert/strict";
import express from "express";
import Fastify from "fastify";
import { createLogger, streamSink } from "../../dist/mod.js";
import * as sluiceExpress from "../../dist/express.js";
import * as sluiceFastify from "../../dist/fastify.js";
import { startExpress, startFastify } from "../scenarios/framework_apps.mjs";
import { httpLoggingScenario, memoryLogger } from "../scenarios/http_logging.mjs";

for (const [name, start] of [
  ["express", (l) => startExpress({ express, ...sluiceExpress }, l)],
  ["fastify", (l) => startFastify({ Fastify, ...sluiceFastify }, l)],
]) {
  test(`sluice/${name} on Node: request id, withContext, one line per request, skip, errors with stacks, trace ids`, async () => {
    const logger = memoryLogger(createLogger, streamSink);
    const server = await start(logger);
    try {
      const records = await httpLoggingScenario({ base: server.base, log: logger.log, lines: logger.lines, streamBytes: false });
      assert.equal(records.filter((r) => r.msg === "request").length, 8);
    } finally {
      await server.stop();
      await logger.log.close();
    }
  });
}
