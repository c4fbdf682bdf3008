// A real small file system for the tests that fill one: a tmpfs mounted at a directory (root
// only), unmounted by `unmountAll` in the suite's afterAll.
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";

const mounts: string[] = [];

/** Mounts a tmpfs of `size` (`"256k"`) at `dir`; false when this process may not (not root). */
export function mountTmpfs(dir: string, size: string): boolean {
  mkdirSync(dir, { recursive: true });
  const r = spawnSync("mount", ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir], { encoding: "utf8" });
  if (r.status !== 0) return false;
  mounts.push(dir);
  return true;
}

/** Unmounts every tmpfs `mountTmpfs` mounted. */
export function unmountAll(): void {
  for (const m of mounts.splice(0)) spawnSync("umount", [m]);
}
