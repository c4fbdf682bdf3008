// The collector over HTTPS on Deno (serve() with a certificate and key, node:https underneath).
import assert from "node:assert/strict";
import { serve } from "../../server.ts";

const hasOpenssl = new Deno.Command("openssl", { args: ["version"], stdout: "null", stderr: "null" }).outputSync().success;

Deno.test({
  name: "serve() with tls answers over HTTPS and writes the records",
  ignore: !hasOpenssl,
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const work = Deno.makeTempDirSync();
    const key = `${work}/key.pem`, cert = `${work}/cert.pem`, ca = `${work}/ca.pem`;
    Deno.writeTextFileSync(`${work}/ext.cnf`, "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n");
    const openssl = (...args: string[]) => assert.ok(new Deno.Command("openssl", { args, stdout: "null", stderr: "null" }).outputSync().success, args.join(" "));
    // a throwaway CA and a server certificate it signs (rustls refuses a CA used as the server's own)
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", `${work}/ca.key`, "-out", ca, "-subj", "/CN=sluice-test-ca", "-days", "1");
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", `${work}/server.csr`, "-subj", "/CN=127.0.0.1");
    openssl("x509", "-req", "-in", `${work}/server.csr`, "-CA", ca, "-CAkey", `${work}/ca.key`, "-CAcreateserial", "-out", cert, "-days", "1", "-extfile", `${work}/ext.cnf`);
    const dir = `${work}/logs`;
    const server = await serve({ port: 0, dir, tokens: [{ name: "edge", token: "tk" }], tls: { cert: Deno.readTextFileSync(cert), key: Deno.readTextFileSync(key) }, handleSignals: false });
    const client = Deno.createHttpClient({ caCerts: [Deno.readTextFileSync(ca)] });
    try {
      assert.ok(server.url.startsWith("https://"));
      const res = await fetch(`${server.url}/ingest`, {
        method: "POST",
        body: '{"msg":"secure"}\n',
        headers: { authorization: "Bearer tk", "content-type": "application/x-ndjson" },
        client,
      } as RequestInit);
      assert.equal(res.status, 200);
      await res.body?.cancel();
      assert.equal(JSON.parse(Deno.readTextFileSync(`${dir}/default.ndjson`)).msg, "secure");
    } finally {
      client.close();
      await server.close();
    }
  },
});
