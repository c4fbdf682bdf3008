// The contract cases on Deno, against mod.ts.
import * as lib from "../../mod.ts";
import { contractCases } from "../contract/cases.mjs";

const mod = new URL("../../mod.ts", import.meta.url).pathname;
const config = new URL("../../deno.json", import.meta.url).pathname;
for (const c of contractCases(lib, { cmd: [Deno.execPath(), "run", "-A", "--config", config], mod })) {
  Deno.test({ name: c.name, fn: async () => void (await c.fn()), sanitizeOps: false, sanitizeResources: false });
}
