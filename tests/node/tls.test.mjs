// The collector over HTTPS on Node (serve() with a certificate and key, node:https underneath).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve } from "../../dist/server.js";

const hasOpenssl = spawnSync("openssl", ["version"]).status === 0;

test("serve() with tls answers over HTTPS and writes the records", { skip: !hasOpenssl && "openssl is not installed" }, async () => {
  const work = mkdtempSync(join(tmpdir(), "sluice-node-tls-"));
  const key = join(work, "key.pem"), cert = join(work, "cert.pem");
  const r = spawnSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-days", "1"]);
  assert.equal(r.status, 0, String(r.stderr));
  const dir = join(work, "logs");
  const server = await serve({ port: 0, dir, tokens: [{ name: "edge", token: "tk" }], tls: { cert: readFileSync(cert, "utf8"), key: readFileSync(key, "utf8") }, handleSignals: false });
  try {
    assert.ok(server.url.startsWith("https://"));
    const body = '{"msg":"secure"}\n';
    const status = await new Promise((resolve, reject) => {
      const req = request(`${server.url}/ingest`, { method: "POST", ca: readFileSync(cert), headers: { authorization: "Bearer tk", "content-type": "application/x-ndjson", "content-length": Buffer.byteLength(body) } }, (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode));
      });
      req.on("error", reject);
      req.end(body);
    });
    assert.equal(status, 200);
    assert.equal(JSON.parse(readFileSync(join(dir, "default.ndjson"), "utf8")).msg, "secure");
  } finally {
    await server.close();
  }
});
