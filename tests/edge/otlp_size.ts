// worker.ts plus otlpSink (JSON and protobuf): the bundle-size test measures what otlpSink adds
// to the edge bundle.
import worker from "./worker.ts";
import { otlpSink } from "../../mod.web.ts";

export default { fetch: worker.fetch, otlp: otlpSink };
