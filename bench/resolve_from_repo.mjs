// Node --import hook: bare imports that fail from ../shared/bench resolve from this repository
// instead, so the shared workloads find pino and LogTape in our node_modules.
import { register } from "node:module";
register("data:text/javascript," + encodeURIComponent(`
const root = ${JSON.stringify(new URL("../", import.meta.url).href)};
export async function resolve(spec, ctx, next) {
  try { return await next(spec, ctx); }
  catch (err) {
    if (/^[./]|^[a-z]+:/.test(spec)) throw err;
    return next(spec, { ...ctx, parentURL: root + "package.json" });
  }
}`));
