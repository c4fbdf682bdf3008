// Headless Chromium for the console's browser suites: Debian's /usr/bin/chromium (or
// SLUICE_CHROMIUM) driven by playwright-core. `chromiumSuitesRun` says plainly when the suite
// is skipped, and throws under CI=true.
import { existsSync, mkdirSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";

export const chromiumPath: string | undefined = [process.env.SLUICE_CHROMIUM, "/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => p !== undefined && p !== "" && existsSync(p));

/** Whether the browser suites run; says plainly when they are skipped, throws under CI=true. */
export function chromiumSuitesRun(suite: string): boolean {
  if (chromiumPath !== undefined) return true;
  if (process.env.CI === "true") throw new Error(`${suite}: chromium is not installed and CI=true (.ci/run installs it with apt-get)`);
  console.log(`SKIPPED ${suite}: chromium is not installed (apt-get install -y chromium to run it)`);
  return false;
}

/** Starts headless Chromium (no sandbox: the tests run as root). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"], timeout: 30_000 });
}

/** Where screenshots go: test-artifacts/ at the repository's root (gitignored). */
export function artifactPath(name: string): string {
  const dir = new URL("../../test-artifacts/", import.meta.url).pathname;
  mkdirSync(dir, { recursive: true });
  return dir + name;
}
