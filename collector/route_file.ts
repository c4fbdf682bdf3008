/**
 * `--route routes.json`: the collector's routing sink made from the file, reloaded when the
 * file changes and on SIGHUP.
 *
 * @module
 */
import { errorMessage } from "../lib/errors.ts";
import type { Runtime } from "../lib/runtime/runtime.ts";
import type { Sink } from "../lib/sink.ts";
import { type HttpBatch, httpSink } from "../lib/sinks/http_sink.ts";
import { keyByField, parseRouteFile, type RouteFile, type RouteFileTarget } from "../lib/sinks/route/route_config.ts";
import { routeSink } from "../lib/sinks/route/route_sink.ts";
import type { RouteTarget } from "../lib/sinks/route/route_types.ts";
import type { RouteOptions } from "./options.ts";

/** The name of the collector's routing sink in `log.stats().sinks` and `/metrics`. */
export const ROUTE_SINK_NAME = "route";

/** What the routing file needs from the collector. */
interface Context {
  dir: string;
  runtime: Runtime;
  maxQueuedRecords: number;
  /** Reports a rejected reload (the collector's own log and stderr). */
  rejected(message: string): void;
  /** Reports a reload that took effect. */
  reloaded(message: string): void;
}

/**
 * Reads and checks a routes file; throws a one-line TypeError naming what is wrong.
 *
 * @example
 * ```ts
 * const routes = readRouteFile(runtime, "./routes.json");
 * ```
 */
export function readRouteFile(runtime: Runtime, file: string): { routes: RouteFile; text: string } {
  const text = runtime.fs?.readText(file);
  if (text === undefined) throw new TypeError(`${file}: cannot read it (missing, or no file system)`);
  return { routes: parseRouteFile(text, file), text };
}

/**
 * The collector's routing sink over the targets of `options.file`, and its reloading. A target
 * is two `httpSink`s to its URL: one without a spool whose failures move a batch to the other
 * targets (failover), and one that only keeps, in the target's spool, the records that find no
 * target up, and sends them when it answers again. A reload keeps the sinks of targets whose
 * url, token, gzip, timeout, retries and spool did not change; the router keeps their breakers
 * and counters.
 *
 * @example
 * ```ts
 * const routing = routeFromFile({ file: "./routes.json" }, { dir, runtime, maxQueuedRecords: 10_000, rejected: console.error, reloaded: console.log });
 * createLogger({ sinks: [routing.sink] });
 * ```
 */
export function routeFromFile(options: RouteOptions, context: Context) {
  const { runtime } = context;
  let { routes, text } = readRouteFile(runtime, options.file);
  /** Each target's sink by name, with the settings it was made from. */
  let built = new Map<string, Made>();
  /** The record-keeping sink of each spool directory: one at a time, so no batch file is sent twice. */
  const holds = new Map<string, Made & { connected: boolean }>();
  const counts = { reloads: 0, rejected: 0 };

  const spoolOf = (t: RouteFileTarget) => (t.spool === false ? undefined : t.spool ?? `${context.dir}/.sluice/route-spool/${t.name}`);
  const holdSettings = (t: RouteFileTarget) => JSON.stringify([t.url, t.token, t.gzip]);
  const httpOptions = (t: RouteFileTarget) => ({
    token: t.token, gzip: t.gzip ?? false, timeoutMs: t.timeoutMs ?? 2_000, retry: { maxAttempts: 1 + (t.retries ?? 1), maxDelayMs: 500 }, runtime, name: `route:${t.name}`,
  });

  /** The sink that keeps records for `t` while no target is up, made once per spool directory. */
  const holdFor = (t: RouteFileTarget, dir: string) => {
    const had = holds.get(dir);
    if (had !== undefined) return had;
    const made = { settings: holdSettings(t), sink: httpSink(t.url, { ...httpOptions(t), spool: dir, spoolRetryMs: 1_000 }), connected: false };
    holds.set(dir, made);
    return made;
  };

  /** `t`'s sink: the one it had when its settings are the same, else a new pair (live, hold). */
  const targetSink = (t: RouteFileTarget): Made => {
    const dir = spoolOf(t);
    const settings = JSON.stringify([t.url, t.token, t.gzip, t.timeoutMs, t.retries, dir]);
    const had = built.get(t.name);
    if (had?.settings === settings) return had;
    const live = httpSink(t.url, httpOptions(t));
    const hold = dir === undefined ? undefined : holdFor(t, dir);
    const sink: Sink<HttpBatch> = {
      name: live.name, sync: false, defaultOnFull: "drop-newest",
      connect(h) {
        live.connect?.(h);
        if (hold !== undefined && !hold.connected) (hold.connected = true, hold.sink.connect?.(h));
      },
      encode: (records) => live.encode(records),
      write: (batch) => live.write(batch),
      ...(hold === undefined ? {} : { writeSync: (batch: HttpBatch) => hold.sink.writeSync!(batch) }),
      close: () => live.close(),
    };
    return { settings, sink };
  };

  const build = (next: RouteFile) => {
    const made = new Map<string, Made>();
    const targets: RouteTarget[] = next.targets.map((t) => {
      const m = targetSink(t);
      made.set(t.name, m);
      const dir = spoolOf(t);
      return {
        name: t.name, sink: m.sink, weight: t.weight, level: t.level, categoryPrefix: t.category, copy: t.copy,
        spooled: dir === undefined ? undefined : () => runtime.fs?.list(dir).filter((n) => n.endsWith(".batch")).length ?? 0,
      };
    });
    return { made, options: { targets, key: next.key === undefined ? undefined : keyByField(next.key), breaker: next.breaker } };
  };

  /** Stops the holds the next table does not use as they are (gone, or another url or token): before a new one takes their directory. */
  const stopHolds = async (next: RouteFile | undefined) => {
    const wanted = new Map(next?.targets.map((t) => [spoolOf(t), holdSettings(t)]));
    for (const [dir, h] of holds) {
      if (wanted.get(dir) === h.settings) continue;
      holds.delete(dir);
      await h.sink.flush?.();
      h.sink.closing?.();
      await h.sink.close();
    }
  };

  const first = build(routes);
  built = first.made;
  const route = routeSink({ ...first.options, name: ROUTE_SINK_NAME, batch: { maxRecords: 1000, maxAgeMs: 20 }, maxQueuedRecords: context.maxQueuedRecords });

  let reloading = Promise.resolve();
  /** Reads the file again (when `force`, or when its text changed) and reconfigures the router; a bad file is reported and the table kept. */
  const reload = (why: string, force: boolean) => (reloading = reloading.then(async () => {
    const now = runtime.fs?.readText(options.file);
    if (!force && now === text) return;
    text = now ?? text; // a bad text is reported once, not at every poll
    let next: RouteFile;
    try {
      next = readRouteFile(runtime, options.file).routes;
      build(next); // a target that cannot be made (a bad option) is refused before anything changes
    } catch (err) {
      counts.rejected++;
      return context.rejected(`sluice: ${errorMessage(err)}; keeping the routes loaded before (${why})`);
    }
    await stopHolds(next);
    const { made, options: o } = build(next);
    route.reconfigure(o);
    built = made;
    routes = next;
    counts.reloads++;
    context.reloaded(`sluice: reloaded ${options.file} (${why}): ${routes.targets.map((t) => `${t.name}${t.copy ? " (copy)" : ` x${t.weight ?? 1}`}`).join(", ")}`);
  }));

  const poll = setInterval(() => void reload("changed", false), options.pollMs ?? 1_000);
  runtime.unrefTimer(poll);
  const unhook = runtime.onReopenSignal?.(() => void reload("SIGHUP", true)) ?? (() => {});

  return {
    /** The routing sink, for the collector's forwarding logger. */
    sink: route,
    /** Reloads now, as SIGHUP does; resolves when done (or rejected and reported). */
    reload: () => reload("asked", true),
    /** Reloads taken and files rejected. */
    counts,
    /** Stops watching the file; the holds then stop once the router's logger has closed. */
    async close(closeRouter: () => Promise<void>) {
      clearInterval(poll);
      unhook();
      await reloading;
      await closeRouter();
      await stopHolds(undefined);
    },
  };
}

/** A target's sink and the settings it was made from. */
interface Made {
  settings: string;
  sink: Sink<HttpBatch>;
}
