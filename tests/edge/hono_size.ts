// worker.ts plus sluice/hono's middleware (hono itself is the app's, so it is left out): the
// bundle-size test measures what the middleware adds to the edge bundle.
import worker from "./worker.ts";
import { sluiceLogger } from "../../hono.ts";

export default { fetch: worker.fetch, middleware: sluiceLogger };
