// /api/tail on a runtime's own HTTP server (Bun.serve, Deno.serve, node:http): the first comment
// before any record, a record written after connect, Last-Event-ID, a client that leaves frees
// its place, and close() not held up by a follower. `serve` is that runtime's sluice/server serve.

/** Reads SSE blocks from a response body, each within `ms`. */
function blocks(body) {
  const reader = body.getReader();
  const utf8 = new TextDecoder();
  let buf = "";
  return {
    async next(ms = 5000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const end = buf.indexOf("\n\n");
        if (end >= 0) {
          const block = buf.slice(0, end);
          buf = buf.slice(end + 2);
          return block;
        }
        let timer;
        const r = await Promise.race([reader.read(), new Promise((res) => (timer = setTimeout(() => res("timeout"), Math.max(1, deadline - Date.now()))))]);
        clearTimeout(timer);
        if (r === "timeout") throw new Error(`no event in ${ms} ms`);
        if (r.done) throw new Error("the stream ended");
        buf += utf8.decode(r.value, { stream: true });
      }
    },
    cancel: () => reader.cancel(),
  };
}

export async function tailStreamScenario({ serve, dir }) {
  const server = await serve({ port: 0, dir, handleSignals: false, tokens: [{ name: "edge", token: "in" }, { name: "ops", token: "rd", role: "read" }] });
  const check = (ok, what) => {
    if (!ok) throw new Error(what);
  };
  try {
    const open = (last) => fetch(`${server.url}/api/tail`, { headers: { authorization: "Bearer rd", ...(last ? { "last-event-id": last } : {}) } });
    const post = (msg) => fetch(`${server.url}/ingest`, { method: "POST", headers: { authorization: "Bearer in", "content-type": "application/x-ndjson" }, body: JSON.stringify({ level: "info", msg }) });
    const res = await open();
    check(res.status === 200 && res.headers.get("content-type").startsWith("text/event-stream"), `tail answered ${res.status}`);
    const a = blocks(res.body);
    check((await a.next(2000)).startsWith(": connected"), "no first comment at once");
    check((await post("one")).status === 200, "ingest refused");
    check((await post("two")).status === 200, "ingest refused");
    const one = await a.next();
    const id = /^id: (\S+)$/m.exec(one)?.[1];
    check(id !== undefined && JSON.parse(/^data: (.*)$/m.exec(one)[1]).msg === "one", `unexpected event ${one}`);
    check(JSON.parse(/^data: (.*)$/m.exec(await a.next())[1]).msg === "two", "second record missing");
    await a.cancel();
    // the server notices the client left and frees its place
    const deadline = Date.now() + 3000;
    while (server.app.tail.clients !== 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    check(server.app.tail.clients === 0, `a cancelled client still counted (${server.app.tail.clients})`);
    const b = blocks((await open(id)).body);
    await b.next(); // connected
    check(JSON.parse(/^data: (.*)$/m.exec(await b.next())[1]).msg === "two", "Last-Event-ID did not resume strictly after");
    // close() ends b's stream instead of waiting for it
    const closed = server.close();
    await Promise.race([closed, new Promise((_, rej) => setTimeout(() => rej(new Error("close() waited on a follower")), 5000))]);
    let ended = false;
    try {
      await b.next(2000);
    } catch (err) {
      ended = /ended/.test(String(err));
    }
    check(ended, "the follower's stream did not end at close");
  } finally {
    await server.close();
  }
}
