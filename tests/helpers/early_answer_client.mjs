// A client that reuses connections (fetch's keep-alive pool on Bun, Deno and Node's undici):
// a chunked upload the collector answers 413 before reading it whole, an upload answered 401
// before reading any of it, each followed by a normal request on the same client. Prints one
// JSON line: [step, status or "ERR", connection header or error code].
// Usage: <runtime> early_answer_client.mjs URL TOKEN
const [url, token] = typeof Deno !== "undefined" ? Deno.args : process.argv.slice(2);
const headers = { authorization: `Bearer ${token}`, "content-type": "application/x-ndjson" };
const line = new TextEncoder().encode(`{"msg":"${"x".repeat(1000)}"}\n`);
const out = [];
async function step(name, send) {
  try {
    const res = await send();
    await res.arrayBuffer();
    out.push([name, res.status, res.headers.get("connection")]);
  } catch (err) {
    out.push([name, "ERR", String(err?.cause?.code ?? err?.code ?? err?.message ?? err)]);
  }
}
const ingest = (body, extra = {}) => fetch(`${url}/ingest`, { method: "POST", headers: { ...headers, ...extra }, body, duplex: "half" });
for (let round = 0; round < 2; round++) {
  await step("normal", () => ingest('{"msg":"ok"}\n'));
  let sent = 0;
  const chunked = new ReadableStream({
    async pull(c) {
      if (sent++ > 400) return c.close();
      await new Promise((r) => setTimeout(r, 1));
      c.enqueue(line);
    },
  });
  await step("chunked upload past --max-body-bytes", () => ingest(chunked));
  await step("next", () => ingest('{"msg":"ok"}\n'));
  await step("upload with a wrong token", () => ingest("x".repeat(200_000), { authorization: "Bearer wrong" }));
  await step("next", () => ingest('{"msg":"ok"}\n'));
}
console.log(JSON.stringify(out));
