// A worker that runs the shared withContext scenarios in workerd (edge context.test.mjs runs it
// with and without nodejs_compat): answers "ok N" or the failure.
import * as sluice from "../../mod.web.ts";
import { contextScenarios } from "../scenarios/context.mjs";

export default {
  async fetch(): Promise<Response> {
    try {
      const records = await contextScenarios(sluice);
      return new Response(`ok ${records.length}`);
    } catch (err) {
      return new Response(`${(err as Error).name}: ${(err as Error).message}`, { status: 500 });
    }
  },
};
