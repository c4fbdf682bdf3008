// The contract cases on Node, against the built npm output (dist/mod.js).
import { test } from "node:test";
import * as lib from "../../dist/mod.js";
import { contractCases } from "../contract/cases.mjs";

const mod = new URL("../../dist/mod.js", import.meta.url).pathname;
for (const c of contractCases(lib, { cmd: [process.execPath], mod })) test(c.name, { timeout: 30000 }, c.fn);
