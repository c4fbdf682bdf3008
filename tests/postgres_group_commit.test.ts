// GroupCommit, the collector's batching of requests into shared transactions: batches that wait
// while commits run go in together (bounded in transactions and records), each gets its own
// answer, and a batch the database refuses fails alone when a shared transaction fails.
import { expect, test } from "bun:test";
import { GroupCommit } from "../postgres/group_commit.ts";
import type { KeyedBatch } from "../postgres/write.ts";
import { createRecord } from "../lib/record.ts";

const batch = (name: string, n = 1): KeyedBatch => ({ records: Array.from({ length: n }, () => createRecord(0, "info", undefined, name, "}")), key: { token: "t", hash: name } });
/** A group of one commit at a time whose first commit waits for `release()`; `calls` are the keys of each commit. */
function heldGroup(answer: (batches: readonly KeyedBatch[]) => boolean[]) {
  const calls: string[][] = [];
  const held = { release: () => {} };
  const group = new GroupCommit(async (batches) => {
    calls.push(batches.map((b) => b.key!.hash));
    if (calls.length === 1) await new Promise<void>((r) => (held.release = r));
    return answer(batches);
  }, 1);
  return { group, calls, release: () => held.release() };
}

test("batches that wait while a commit runs share the next one; each is answered with its own outcome", async () => {
  const { group, calls, release } = heldGroup((batches) => batches.map((b) => b.key!.hash === "dup"));
  const first = group.add(batch("a"));
  const rest = [group.add(batch("b")), group.add(batch("dup")), group.add(batch("c"))];
  release();
  expect(await first).toBe(false);
  expect(await Promise.all(rest)).toEqual([false, true, false]);
  expect(calls).toEqual([["a"], ["b", "dup", "c"]]);
});

test("at most maxInFlight transactions and maxRecords records in one", async () => {
  let inFlight = 0, most = 0;
  const sizes: number[] = [];
  const group = new GroupCommit(async (batches) => {
    most = Math.max(most, ++inFlight);
    sizes.push(batches.reduce((n, b) => n + b.records.length, 0));
    await new Promise((r) => setTimeout(r, 5));
    inFlight--;
    return batches.map(() => false);
  }, 2, 250);
  await Promise.all(Array.from({ length: 40 }, (_, i) => group.add(batch(`b${i}`, 100))));
  expect(most).toBe(2);
  expect(Math.max(...sizes)).toBeLessThanOrEqual(250);
  expect(sizes.reduce((a, b) => a + b, 0)).toBe(4000);
  // a batch larger than maxRecords still goes, alone
  expect(await group.add(batch("big", 1000))).toBe(false);
});

test("a shared transaction that fails is retried batch by batch: the refused batch fails alone", async () => {
  let release: () => void = () => {};
  let first = true;
  const group = new GroupCommit(async (batches) => {
    if (first) {
      first = false;
      await new Promise<void>((r) => (release = r));
    }
    if (batches.some((b) => b.key!.hash === "poison")) throw new Error("invalid input");
    return batches.map(() => false);
  }, 1);
  const head = group.add(batch("head"));
  const waiting = [group.add(batch("x")), group.add(batch("poison")), group.add(batch("y"))].map((p) => p.then(() => "ok", (e: Error) => e.message));
  release();
  await head;
  expect(await Promise.all(waiting)).toEqual(["ok", "invalid input", "ok"]);
});

test("a waiting batch withdrawn is never committed; one whose commit began is not withdrawn", async () => {
  const { group, calls, release } = heldGroup((batches) => batches.map(() => false));
  const a = batch("a"), b = batch("b"), c = batch("c");
  const first = group.add(a);
  void group.add(b);
  const third = group.add(c);
  expect(group.withdraw(a)).toBe(false); // its commit runs
  expect(group.withdraw(b)).toBe(true);
  expect(group.withdraw(b)).toBe(false);
  release();
  expect([await first, await third]).toEqual([false, false]);
  expect(calls).toEqual([["a"], ["c"]]);
});

test("a batch withdrawn while its shared commit runs is not retried alone when that commit fails", async () => {
  const calls: string[][] = [];
  let fail: (err: Error) => void = () => {};
  const group = new GroupCommit(async (batches) => {
    calls.push(batches.map((b) => b.key!.hash));
    if (calls.length === 1) return batches.map(() => false);
    if (calls.length === 2) await new Promise<void>((_, reject) => (fail = reject));
    return batches.map(() => false);
  }, 1);
  const a = batch("a"), b = batch("b"), c = batch("c");
  const first = group.add(a);
  const shared = [group.add(b), group.add(c)]; // wait behind a, then share one commit
  await first;
  await new Promise((r) => setTimeout(r, 0));
  expect(group.withdraw(b)).toBe(false); // its shared commit runs
  fail(new Error("refused"));
  expect(await shared[1]).toBe(false);
  expect(calls).toEqual([["a"], ["b", "c"], ["c"]]); // b is not committed on its own
  void shared[0];
});
