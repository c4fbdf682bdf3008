// readLimited under a memory budget, fuzzed (seeded, bounded): whatever the chunking, the
// declared length (right, short, long, absent), the byte limit and the budget, a read returns
// exactly the bytes sent or refuses with the bound it passed; the bytes reserved never pass the
// budget, cover what was kept, and all come back.
import { expect, test } from "bun:test";
import fc from "fast-check";
import { readLimited } from "../collector/body.ts";
import { BodyTooLargeError, MemoryBudgetError } from "../collector/errors.ts";
import { MemoryBudget } from "../collector/memory_budget.ts";

const streamOf = (chunks: Uint8Array[]) => new ReadableStream<Uint8Array>({
  pull(c) {
    const next = chunks.shift();
    if (next === undefined) c.close();
    else c.enqueue(next);
  },
});

test("readLimited with a hold: the bytes, or the bound passed; reservations within the budget and all given back", async () => {
  await fc.assert(fc.asyncProperty(
    fc.array(fc.uint8Array({ minLength: 1, maxLength: 300_000 }), { maxLength: 8 }),
    fc.integer({ min: 1, max: 2_000_000 }),
    fc.constantFrom("right", "short", "long", "absent"),
    fc.integer({ min: 1 << 20, max: 3 << 20 }),
    fc.integer({ min: 0, max: 1 << 20 }),
    async (chunks, limit, declared, budgetBytes, takenByOthers) => {
      const budget = new MemoryBudget(budgetBytes);
      const others = budget.hold("other");
      others.take(Math.min(takenByOthers, budget.tokenShare));
      const hold = budget.hold("t");
      let most = 0;
      const take = hold.take.bind(hold);
      hold.take = (n) => {
        take(n);
        most = Math.max(most, budget.held);
      };
      const total = chunks.reduce((n, c) => n + c.length, 0);
      const expected = declared === "right" ? total : declared === "short" ? Math.max(0, total - 7) : declared === "long" ? total + 7 : -1;
      const whole = new Uint8Array(total);
      let at = 0;
      for (const c of chunks) whole.set(c, (at += c.length) - c.length);
      let result: Uint8Array | Error;
      try {
        result = await readLimited(streamOf(chunks.map((c) => c.slice())), limit, "body", { expected, hold });
      } catch (err) {
        result = err as Error;
      }
      if (result instanceof Uint8Array) {
        expect(total).toBeLessThanOrEqual(limit);
        expect(Buffer.compare(result, whole)).toBe(0);
        expect(hold.bytes).toBeGreaterThanOrEqual(total); // what is kept is reserved
      } else if (result instanceof BodyTooLargeError) expect(total > limit || expected > limit).toBe(true);
      else expect(result).toBeInstanceOf(MemoryBudgetError);
      expect(most).toBeLessThanOrEqual(budgetBytes);
      hold.release();
      others.release();
      expect(budget.held).toBe(0);
    },
  ), { seed: 18, numRuns: 300 });
});
