// The log call of micro.bench.ts's "caller: true, transformed" line: micro.bench.ts loads this
// file through sluice/caller's transform (what callerPlugin does in a build), so the call
// carries its location and the logger captures no stack.
export function logTransformed(log, i) {
  log.info("request handled", { i, user: "alice", route: "/api/items" });
}
