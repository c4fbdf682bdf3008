// `npm start`: a short demo. It logs a few thousand records to ./logs/demo.ndjson and the
// console, through children, redaction and an error with a cause, then prints the stats.
import { createLogger, consoleSink, fileSink } from "../dist/mod.js";

const log = createLogger({
  level: "debug",
  sinks: [fileSink("./logs/demo.ndjson"), consoleSink({ level: "warn" })],
  redact: ["password"],
});
const http = log.child({ service: "demo" }, { category: "http" });
for (let i = 0; i < 5000; i++) http.info("request handled", { i, route: "/api/items", ms: i % 17 });
http.warn("login", { user: "alice", password: "hunter2" });
http.error("upstream failed", { err: new Error("timeout", { cause: new Error("ECONNRESET") }) });
await log.close();
console.log("\nwrote ./logs/demo.ndjson; stats:");
console.log(JSON.stringify(log.stats(), null, 2));
