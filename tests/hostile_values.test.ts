// Values built to break a log call (Proxies whose traps throw, toJSON chains that never end or
// loop, getters that throw where a rule looks, errors whose own members throw), seeded and
// bounded, with and without redaction, messages that are no string among them: every call
// returns, every record is written once as one JSON line with a string msg, nothing is
// reported lost, and no secret at a redacted path reaches the output.
import { describe, expect, test } from "bun:test";
import { createLogger, streamSink } from "../mod.ts";

const SECRET = "S3CRET-VALUE";
const PATHS = ["token", "*.token", "a.b.token", "m.token"];

let seed = 0x0bad5eed;
const rand = (n: number) => ((seed = (Math.imul(seed ^ (seed >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) % n);

/**
 * What a value `depth` levels below a field holds under `token`: the secret at the field itself
 * (where a rule names it: `*.token`, `a.b.token`), a value in the clear below it (where none does).
 */
const tokenAt = (depth: number) => (depth === 0 ? SECRET : "in the clear");

/** An object holding a token, maybe beside a hostile value. */
const holder = (depth: number): Record<string, unknown> => ({ token: tokenAt(depth), n: rand(10), ...(depth < 3 && rand(2) === 0 ? { x: hostile(depth + 1) } : {}) });

const TRAPS = ["get", "getPrototypeOf", "ownKeys", "getOwnPropertyDescriptor", "has"] as const;

/** One hostile value, `depth` levels down. */
function hostile(depth: number): unknown {
  switch (rand(14)) {
    case 0: { // a Proxy whose trap throws
      const trap = TRAPS[rand(TRAPS.length)];
      return new Proxy(holder(depth), { [trap]: () => { throw new Error(`trap ${trap}`); } });
    }
    case 1: { // a toJSON chain of a random length, the secret at its end
      let v: unknown = holder(depth);
      for (let i = rand(100); i > 0; i--) {
        const next = v;
        v = { toJSON: () => next };
      }
      return v;
    }
    case 2: { // a toJSON that never stops giving a new value with a toJSON
      const endless = (): object => ({ token: tokenAt(depth), toJSON: endless });
      return endless();
    }
    case 3: { // two toJSONs that give each other
      const a: Record<string, unknown> = { token: tokenAt(depth) };
      const b: Record<string, unknown> = { token: tokenAt(depth), toJSON: () => a };
      a.toJSON = () => b;
      return a;
    }
    case 4: // a getter that throws where a rule looks, beside the secret
      return Object.defineProperty({ token: tokenAt(depth) }, "b", { get() { throw new Error("getter b"); }, enumerable: true });
    case 5: { // an error whose own members throw, and a cause that is itself hostile
      const err = new Error("boom", { cause: depth < 3 ? hostile(depth + 1) : undefined });
      Object.defineProperty(err, "message", { get() { throw new Error("no message"); } });
      return Object.assign(err, { token: tokenAt(depth) });
    }
    case 6: { // a toJSON that gives a Proxy
      const p = new Proxy(holder(depth), { ownKeys: () => { throw new Error("no keys"); } });
      return { toJSON: () => p };
    }
    case 7: // a Map whose value is hostile
      return new Map<unknown, unknown>([["token", tokenAt(depth)], ["b", depth < 3 ? hostile(depth + 1) : 1]]);
    case 8: { // a cycle through a toJSON's result
      const o: Record<string, unknown> = { token: tokenAt(depth) };
      o.self = { toJSON: () => o };
      return o;
    }
    case 9: // an array of hostile values
      return Array.from({ length: 1 + rand(3) }, () => (depth < 3 ? hostile(depth + 1) : depth));
    case 10: { // a revoked Proxy: every operation on it throws
      const r = Proxy.revocable(holder(depth), {});
      r.revoke();
      return r.proxy;
    }
    case 11: { // a getter that throws a Proxy whose traps throw (it cannot be made a message)
      const thrown: object = new Proxy({}, { get() { throw thrown; }, getPrototypeOf() { throw thrown; } });
      return Object.defineProperty({ token: tokenAt(depth) }, "b", { get() { throw thrown; }, enumerable: true });
    }
    case 12: // a Set whose members hold the token, a typed array
      return rand(2) ? new Set([{ token: tokenAt(depth + 1) }]) : new Uint8Array([1, 2, 3]);
    default:
      return holder(depth);
  }
}

/** A message as JavaScript may pass one: no string, a lazy one that gives no string, an error whose message throws. */
function hostileMessage(): unknown {
  const options: (() => unknown)[] = [
    () => "call",
    () => () => (rand(2) ? undefined : { a: 1 }),
    () => Object.create(null),
    () => ({ toString() { throw new Error("no string"); } }),
    () => Object.defineProperty(new Error("x"), "message", { get() { throw new Error("no message"); } }),
    () => () => new Error("lazy"),
    () => rand(100),
  ];
  return options[rand(options.length)]();
}

function capture() {
  const lines: string[] = [];
  const errors: unknown[] = [];
  const decoder = new TextDecoder();
  let partial = "";
  const sink = streamSink(new WritableStream<Uint8Array>({
    write(chunk) {
      const text = partial + decoder.decode(chunk);
      const parts = text.split("\n");
      partial = parts.pop()!;
      lines.push(...parts);
    },
  }), { name: "capture" });
  return { lines, errors, sink };
}

describe("hostile values", () => {
  test("seeded fuzz: every call returns and writes its record once as a JSON line, nothing is reported lost, and with redaction no secret at a redacted path is written", async () => {
    for (const redact of [undefined, PATHS]) {
      const out = capture();
      const log = createLogger({ sinks: [out.sink], redact, onError: (e) => void out.errors.push(e) });
      const calls = 200;
      for (let i = 0; i < calls; i++) {
        const fields: Record<string, unknown> = { i, a: { b: hostile(0), token: SECRET }, m: new Map([["token", SECRET]]), token: SECRET };
        for (let k = rand(3); k > 0; k--) fields["h" + k] = hostile(0);
        const msg = hostileMessage() as string;
        if (rand(2) === 0) log.info(msg, fields);
        else log.child({ c: hostile(0), token: SECRET }).warn(msg, fields);
      }
      await log.close();
      expect(out.errors).toEqual([]);
      expect(out.lines.length).toBe(calls);
      const seen = out.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(seen.filter((r) => typeof r.msg === "string").length).toBe(calls);
      expect(seen.map((r) => r.i)).toEqual(Array.from({ length: calls }, (_, i) => i));
      if (redact) for (const line of out.lines) expect(line).not.toContain(SECRET);
      else expect(out.lines.some((line) => line.includes(SECRET))).toBe(true);
    }
  });
});
