/**
 * What a logger and its children share: channels, exit hooks, error reporting.
 *
 * @module
 */
import { detectRuntime } from "./runtime/detect.ts";
import { Channel } from "./channel.ts";
import type { QueueOptions } from "./queue_options.ts";
import type { LevelThreshold } from "./levels.ts";
import type { LogRecord } from "./record.ts";
import { createRedactor } from "./redact.ts";
import type { Runtime } from "./runtime/runtime.ts";
import type { Sink } from "./sink.ts";
import type { BatchLimits } from "./stream/batcher.ts";
import { consoleSink } from "./sinks/console_sink.ts";

/**
 * Options of {@linkcode createLogger}.
 *
 * @example
 * ```ts
 * createLogger({ level: "info", sinks: [fileSink("./logs/app.ndjson")], redact: ["password"], onError: console.error });
 * ```
 */
export interface LoggerOptions {
  /**
   * The lowest level logged.
   * @default "info"
   */
  level?: LevelThreshold;
  /**
   * Where records go.
   * @default [consoleSink()]
   */
  // deno-lint-ignore no-explicit-any -- an untyped runtime global or driver object (no @types for Bun, Deno and Node here)
  sinks?: Sink<any>[];
  /** The root logger's category. */
  category?: string;
  /** Fields added to every record. */
  bindings?: object;
  /**
   * `"async"`: a log call only queues; batches are written off the call. `"sync"`: each call
   * returns after its record is written (every sink must write synchronously).
   * @default "async"
   */
  mode?: "async" | "sync";
  /** Queue bound and full-queue policy, for every sink. */
  queue?: QueueOptions;
  /** Batch limits, for every sink (each sink has its own defaults). */
  batch?: BatchLimits<LogRecord>;
  /** Paths whose values are written as `"[Redacted]"`, such as `"password"` or `"headers.authorization"`. */
  redact?: readonly string[];
  /**
   * Receives every loss report (`LogLossError`) and sink error.
   * @default writes the error to the console's error stream
   */
  onError?: (err: Error) => void;
  /**
   * Write pending records synchronously when the process exits.
   * @default true
   */
  exitHooks?: boolean;
  /** The runtime adapter; detected when absent. */
  runtime?: Runtime;
  /**
   * Adds `caller: "file.ts:12"`, where the log method was called, to every record (from a
   * short stack trace; parsed locations are cached, at most 1000).
   * @default false
   */
  caller?: boolean;
}

/**
 * The state a logger and all its children share: the channels (one per sink), the exit hooks
 * and the error reporter. Internal: made by `createLogger`.
 *
 * @example
 * ```ts
 * const core = new LoggerCore({ sinks: [fileSink("./logs/app.ndjson")] });
 * core.emit(record, 30);
 * ```
 */
export class LoggerCore {
  readonly channels: Channel[];
  readonly minSinkLevel: number;
  readonly sync: boolean;
  /** `caller: true`: records carry where they were logged from. */
  readonly caller: boolean;
  readonly redact: (<T extends object>(v: T) => T) | undefined;
  /** Reports to the user's `onError`; never throws. */
  readonly report: (err: Error) => void;
  logged = 0;
  closed = false;
  #unhook: (() => void)[] = [];

  constructor(options: LoggerOptions) {
    const runtime = options.runtime ?? detectRuntime();
    const onError = options.onError ?? ((err: Error) => console.error(String(err?.stack ?? err)));
    this.report = (err: Error) => {
      try {
        onError(err);
      } catch { /* a throwing onError must not reach a log call */ }
    };
    this.sync = (options.mode ?? "async") === "sync";
    this.caller = options.caller === true;
    if (options.mode !== undefined && options.mode !== "async" && options.mode !== "sync") {
      throw new TypeError(`sluice: mode must be "async" or "sync", got ${JSON.stringify(options.mode)}`);
    }
    this.redact = options.redact?.length ? createRedactor(options.redact) : undefined;
    const sinks = options.sinks ?? [consoleSink({ runtime })];
    this.channels = sinks.map((sink) => {
      if (this.sync && !sink.sync) {
        throw new TypeError(`sluice: mode "sync" needs sinks that write synchronously; ${sink.name} does not`);
      }
      return new Channel(sink, { queue: options.queue, batch: options.batch, onError: this.report, unrefTimer: runtime.unrefTimer });
    });
    this.minSinkLevel = Math.min(...this.channels.map((c) => c.minLevel));
    if (options.exitHooks ?? true) {
      this.#unhook.push(runtime.onExit(() => this.exitDrain()));
      this.#unhook.push(runtime.onBeforeExit(() => {
        for (const c of this.channels) if (!c.sink.sync) c.expedite();
      }));
    }
  }

  emit(record: LogRecord, value: number): void {
    this.logged++;
    const channels = this.channels;
    for (let i = 0; i < channels.length; i++) {
      const ch = channels[i];
      if (value >= ch.minLevel) {
        ch.push(record);
        if (this.sync) ch.drainSync(true);
      }
    }
  }

  exitDrain(): void {
    for (const c of this.channels) if (!c.drainSync(true)) c.abandon("exit");
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.channels.map((c) => c.close()));
    for (const u of this.#unhook) u();
  }
}
