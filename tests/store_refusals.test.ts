// A store's own sink (the collector's records): records the store refuses for what they hold are
// counted lost, not thrown for the logger to try again for ever ahead of the others; any other
// failure is thrown, so it is retried.
import { expect, test } from "bun:test";
import { RecordsRefusedError, refusedAsLost, StoreRefusedError } from "../collector/store.ts";

test("refusedAsLost: a refusal for what the records hold is counted lost through the hooks; another failure is thrown; a write that works is left alone", async () => {
  const lost: [number, string][] = [];
  const hooks = { report() {}, lost: (n: number, cause: unknown) => void lost.push([n, (cause as Error).message]), unrefTimer() {} };
  await refusedAsLost(3, hooks, () => Promise.reject(new RecordsRefusedError("value overflows numeric format")));
  expect(lost).toEqual([[3, "value overflows numeric format"]]);
  await expect(refusedAsLost(2, hooks, () => Promise.reject(new StoreRefusedError("PostgreSQL is away", 2)))).rejects.toThrow("PostgreSQL is away");
  await refusedAsLost(1, hooks, () => Promise.resolve());
  expect(lost.length).toBe(1);
});
