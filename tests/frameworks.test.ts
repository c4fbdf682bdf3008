// sluice/hono, sluice/elysia, sluice/express and sluice/fastify on Bun, each with its real
// framework over HTTP on 127.0.0.1: the shared scenario (tests/scenarios/http_logging.mjs).
// Express and Fastify run on Node too (tests/node/frameworks.test.mjs, on dist/).
import { expect, test } from "bun:test";
import { Elysia } from "elysia";
import express from "express";
import Fastify from "fastify";
import { Hono } from "hono";
import { createLogger, streamSink } from "../mod.ts";
import * as sluiceElysia from "../elysia.ts";
import * as sluiceExpress from "../express.ts";
import * as sluiceFastify from "../fastify.ts";
import * as sluiceHono from "../hono.ts";
import { startElysia, startExpress, startFastify, startHono } from "./scenarios/framework_apps.mjs";
import { httpLoggingScenario, memoryLogger } from "./scenarios/http_logging.mjs";

const frameworks = [
  { name: "hono", start: (l: ReturnType<typeof memoryLogger>) => startHono({ Hono, ...sluiceHono }, l), streamBytes: true },
  { name: "elysia", start: (l: ReturnType<typeof memoryLogger>) => startElysia({ Elysia, ...sluiceElysia }, l), streamBytes: true },
  { name: "express", start: (l: ReturnType<typeof memoryLogger>) => startExpress({ express, ...sluiceExpress }, l), streamBytes: false },
  { name: "fastify", start: (l: ReturnType<typeof memoryLogger>) => startFastify({ Fastify, ...sluiceFastify }, l), streamBytes: false },
];

for (const f of frameworks) {
  test(`sluice/${f.name} on Bun: request id, withContext, one line per request, skip, errors with stacks, trace ids`, async () => {
    const logger = memoryLogger(createLogger, streamSink);
    const server = await f.start(logger);
    try {
      const records = await httpLoggingScenario({ base: server.base, log: logger.log, lines: logger.lines, streamBytes: f.streamBytes });
      expect(records.filter((r) => r.msg === "request").length).toBe(8);
    } finally {
      await server.stop();
      await logger.log.close();
    }
  }, 20_000);
}
