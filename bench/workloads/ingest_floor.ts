// The ingest floor (Bun): the least a collector does per request: parse each NDJSON line as
// validation, append the body to a file, answer after the write. Env: OUT, PORT.
const out = Bun.file(process.env.OUT ?? "./ingest-floor.ndjson").writer();
let records = 0;
Bun.serve({
  port: Number(process.env.PORT ?? 18080),
  hostname: "127.0.0.1",
  maxRequestBodySize: 64 << 20,
  async fetch(req) {
    const text = await req.text();
    let n = 0;
    for (let start = 0; start < text.length;) {
      let end = text.indexOf("\n", start);
      if (end < 0) end = text.length;
      if (end > start) {
        JSON.parse(text.slice(start, end));
        n++;
      }
      start = end + 1;
    }
    out.write(text);
    await out.flush();
    records += n;
    return Response.json({ accepted: n });
  },
});
process.on("SIGTERM", () => {
  console.log("records", records);
  process.exit(0);
});
