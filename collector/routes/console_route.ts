/**
 * `GET /`: the console's page, script and style, served from a module (no files read, no CDN).
 *
 * @module
 */
import type { Hono } from "hono";
import { CONSOLE_FILES } from "../console/assets.ts";
import type { Exchange } from "../exchange.ts";

/**
 * The console's Content-Security-Policy: its own script and style only (no inline script, no
 * inline style), data from this origin only, never framed.
 */
export const CONSOLE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * Mounts the console's files. They hold no data and need no token: every record, count and
 * producer comes from `/api/*` with the read token the page is given.
 *
 * @example
 * ```ts
 * mountConsole(app, exchange);
 * ```
 */
export function mountConsole(app: Hono, x: Exchange): void {
  // browsers ask for it on every page: nothing, rather than a 404 in the console's log
  app.get("/favicon.ico", () => new Response(null, { status: 204 }));
  for (const [path, file] of Object.entries(CONSOLE_FILES)) {
    app.get(path, () => {
      x.parts.metrics.answered(200);
      return new Response(file.body, {
        headers: {
          "content-type": file.type,
          "content-security-policy": CONSOLE_CSP,
          "x-content-type-options": "nosniff",
          "referrer-policy": "no-referrer",
          "cache-control": "no-cache",
        },
      });
    });
  }
}
