// The contract cases on Bun, against mod.ts.
import { test } from "bun:test";
import * as lib from "../mod.ts";
import { contractCases } from "./contract/cases.mjs";

const mod = new URL("../mod.ts", import.meta.url).pathname;
for (const c of contractCases(lib, { cmd: [process.execPath], mod })) test(c.name, c.fn, 30000);
