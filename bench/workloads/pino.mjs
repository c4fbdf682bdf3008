// Anchor: the floor's records through pino and its asynchronous destination (sonic-boom), as
// pino's documentation advises for speed; flushed and closed before exit. Env: OUT, N.
import { once } from "node:events";
import pino from "pino";

const n = Number(process.env.N ?? 1_000_000);
const destination = pino.destination({ dest: process.env.OUT, sync: false, minLength: 4096 });
await once(destination, "ready");
const log = pino({ base: undefined }, destination);
for (let i = 0; i < n; i++) log.info({ i, user: "alice", route: "/api/items" }, "request handled");
destination.flushSync();
destination.end();
await once(destination, "close");
