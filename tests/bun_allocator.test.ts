// keepFreedPages (adapters/bun_allocator.ts) when it cannot restart: it says so and the process
// goes on. Its restart itself is checked on real collectors in tests/serve.test.ts.
import { afterEach, expect, spyOn, test } from "bun:test";
import { keepFreedPages } from "../adapters/bun_allocator.ts";

const saved = process.env.MIMALLOC_PURGE_DELAY;
afterEach(() => {
  if (saved === undefined) delete process.env.MIMALLOC_PURGE_DELAY;
  else process.env.MIMALLOC_PURGE_DELAY = saved;
});

test("without a C library to call, it says it goes on with Bun's default, and returns", async () => {
  delete process.env.MIMALLOC_PURGE_DELAY;
  const errors = spyOn(console, "error").mockImplementation(() => {});
  try {
    await keepFreedPages("sluice serve", "libc-that-is-not-here.so.6");
    expect(errors.mock.calls.map((c) => String(c[0]))).toEqual([expect.stringMatching(/^sluice serve: could not start again with MIMALLOC_PURGE_DELAY=-1 \(.*libc-that-is-not-here.*\); going on with Bun's default$/)]);
  } finally {
    errors.mockRestore();
  }
});

test("with MIMALLOC_PURGE_DELAY set, it leaves the process as it is and says nothing", async () => {
  process.env.MIMALLOC_PURGE_DELAY = "25";
  const errors = spyOn(console, "error").mockImplementation(() => {});
  try {
    await keepFreedPages("sluice serve", "libc-that-is-not-here.so.6");
    expect(errors).not.toHaveBeenCalled();
  } finally {
    errors.mockRestore();
  }
});
