// The fields of the bench's log call rendered 1M times by serializeTail and by the serializer
// that knows the shape (lib/shape_serializer.ts), interleaved, 9 rounds: CPU ms (user + system)
// per 1M, medians. LIB: the lib/ directory (dist/lib on Node, lib on Bun and Deno).
// Usage: LIB=dist/lib node bench/serialize_cpu.mjs; LIB=lib bun bench/serialize_cpu.mjs
const lib = new URL(`../${process.env.LIB ?? "dist/lib"}/`, import.meta.url);
const ext = lib.pathname.includes("dist") ? "js" : "ts";
const { serializeTail } = await import(new URL(`serialize.${ext}`, lib).href);
const { shapeTail } = await import(new URL(`shape_serializer.${ext}`, lib).href);
const N = 1_000_000;
let sink = 0;
function run(render) {
  const c0 = process.cpuUsage();
  for (let i = 0; i < N; i++) sink += render({ i, user: "alice", route: "/api/items" }).length;
  const c = process.cpuUsage(c0);
  return Math.round((c.user + c.system) / 1000);
}
const runs = { serializeTail: [], shapeTail: [] };
for (let r = 0; r < 9; r++) {
  runs.serializeTail.push(run(serializeTail));
  runs.shapeTail.push(run(shapeTail));
}
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
console.log(`serializeTail ${median(runs.serializeTail)} ms, shapeTail ${median(runs.shapeTail)} ms per 1M (${sink} bytes rendered; runs: ${JSON.stringify(runs)})`);
