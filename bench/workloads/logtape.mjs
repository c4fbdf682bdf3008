// Anchor: the floor's records through LogTape's file sink in its non-blocking mode, disposed
// before exit. Env: OUT, N.
import { getFileSink } from "@logtape/file";
import { configure, dispose, getLogger, jsonLinesFormatter } from "@logtape/logtape";

const n = Number(process.env.N ?? 1_000_000);
await configure({
  sinks: { file: getFileSink(process.env.OUT, { formatter: jsonLinesFormatter, nonBlocking: true, bufferSize: 8192 }) },
  loggers: [{ category: ["app"], sinks: ["file"], lowestLevel: "info" }, { category: ["logtape", "meta"], sinks: [] }],
});
const log = getLogger(["app"]);
for (let i = 0; i < n; i++) log.info("request handled", { i, user: "alice", route: "/api/items" });
await dispose();
