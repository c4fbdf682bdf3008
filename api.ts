/**
 * The library's public API, shared by the entry points: `mod.ts` (Bun, Deno, Node and edge)
 * and `mod.web.ts` (browsers and edge workers, without the server runtimes' adapters).
 *
 * What is here is what a user needs: the logger and its options, the sinks and their options,
 * the stream stages and the frame format, the errors a caller can catch, and every type that
 * appears in their signatures (checked by `deno doc --lint` in `npm test`). The parts these are
 * built from (the Batcher, the serializer's pieces, the redactor, the frame reader's
 * incremental helpers, the Retry-After parser) stay in lib/ and are imported from there by the
 * collector and the tests.
 *
 * @example
 * ```ts
 * import { createLogger, httpSink } from "./api.ts";
 * ```
 *
 * @module
 */
export { createLogger, Logger } from "./lib/logger.ts";
export { getContext, withContext } from "./lib/context.ts";
export type { ChildOptions, Fields, LogMethod, Message } from "./lib/log_call.ts";
export type { LoggerStats } from "./lib/logger_stats.ts";
export type { LoggerOptions } from "./lib/logger_options.ts";
export { LEVEL_NAMES, levelValue } from "./lib/levels.ts";
export type { LevelName, LevelThreshold } from "./lib/levels.ts";
export { parseLevels } from "./lib/level_spec.ts";
export { enableCallerCapture } from "./lib/caller_capture.ts";
export { enableFrames } from "./lib/sinks/http_frames.ts";
export { enableStreamStages } from "./lib/stream/stage_pipe.ts";
export type { LevelSpec } from "./lib/level_spec.ts";
export { createRecord, recordFields } from "./lib/record.ts";
export type { LogRecord } from "./lib/record.ts";
export type { AsyncStages, OnFull, RoutedPolicy, Sink, SinkHooks } from "./lib/sink.ts";
export type { SinkStats } from "./lib/channel.ts";
export type { QueueOptions } from "./lib/queue_options.ts";
export type { LatencySummary } from "./lib/latency.ts";
export { DrainTimeoutError, HttpSendError, HttpStatusError, LogLossError } from "./lib/errors.ts";
export type { LossReason } from "./lib/errors.ts";
export { formatLines } from "./lib/format/formatter.ts";
export type { Formatter } from "./lib/format/formatter.ts";
export { formatNdjson } from "./lib/format/ndjson.ts";
export { textFormatter } from "./lib/format/text.ts";
export { prettyFormatter } from "./lib/format/pretty.ts";
export type { PrettyOptions } from "./lib/format/pretty.ts";
export type { TextFormatOptions } from "./lib/format/text.ts";
export type { BatchLimits } from "./lib/stream/batcher.ts";
export { BatchStream } from "./lib/stream/batch_stream.ts";
export type { BatchStreamOptions } from "./lib/stream/batch_stream.ts";
export { encodeLines, LineEncoderStream, NdjsonEncoderStream, TextFormatEncoderStream } from "./lib/stream/encode_stream.ts";
export { syncStage } from "./lib/stream/stage.ts";
export type { RecordStage, SyncStage } from "./lib/stream/stage.ts";
export { withThrough } from "./lib/stream/through.ts";
export type { CountingStage, StageHooks, StageStats } from "./lib/stream/counting_stage.ts";
export { throttle } from "./lib/stream/throttle.ts";
export type { ThrottleOptions, ThrottleStats } from "./lib/stream/throttle.ts";
export { sample } from "./lib/stream/sample.ts";
export type { SampleOptions, SampleStats } from "./lib/stream/sample.ts";
export { fingersCrossed } from "./lib/stream/fingers_crossed.ts";
export type { FingersCrossedOptions, FingersCrossedStats } from "./lib/stream/fingers_crossed.ts";
export { FrameDecoderStream, FrameEncoderStream, recordsFrame } from "./lib/stream/frame_stream.ts";
export { decodeFrames, encodeFrame, FRAME_CONTENT_TYPE, FrameError } from "./lib/format/frame.ts";
export { consoleSink } from "./lib/sinks/console_sink.ts";
export type { ConsoleSinkOptions } from "./lib/sinks/console_sink.ts";
export { fileSink, rotatingFileSink } from "./lib/sinks/file_sink.ts";
export type { FileSinkOptions, RotatingFileSinkOptions } from "./lib/sinks/file_sink.ts";
export { categoryFileSink } from "./lib/sinks/category_file_sink.ts";
export type { CategoryFileSinkOptions } from "./lib/sinks/category_file_sink.ts";
export type { RoutedBatch } from "./lib/files/write_buffers.ts";
export { categoryFileName } from "./lib/files/category_name.ts";
export type { RotateOptions } from "./lib/files/rotating_file.ts";
export { streamSink } from "./lib/sinks/stream_sink.ts";
export { portSink } from "./lib/sinks/port_sink.ts";
export { routeSink } from "./lib/sinks/route/route_sink.ts";
export type { RouteSink, RouteSinkOptions, RouteStats, RouteTarget, RouteTargetStats } from "./lib/sinks/route/route_types.ts";
export type { BreakerOptions, BreakerState } from "./lib/sinks/route/breaker.ts";
export { discordSink, slackSink, telegramSink } from "./lib/sinks/notify/chat_sinks.ts";
export { notifySink } from "./lib/sinks/notify/notify_sink.ts";
export type { NotifyOptions, NotifySink, NotifyStats } from "./lib/sinks/notify/notify_sink.ts";
export { discord as discordService, slack as slackService, telegram as telegramService } from "./lib/sinks/notify/services.ts";
export type { AlertLine, NotifyService } from "./lib/sinks/notify/services.ts";
export type { FramePort, PortSinkOptions } from "./lib/sinks/port_sink.ts";
export { receiveFrames } from "./lib/sources/receive_frames.ts";
export type { FrameReceiver, FrameReceiverStats, FrameSource, ReceiveFramesOptions } from "./lib/sources/receive_frames.ts";
export { httpSink } from "./lib/sinks/http_sink.ts";
export type { HttpBatch, HttpSinkOptions } from "./lib/sinks/http_sink.ts";
export { otlpSink } from "./lib/sinks/otlp_sink.ts";
export type { OtlpSinkOptions } from "./lib/sinks/otlp_sink.ts";
export type { StreamSinkOptions } from "./lib/sinks/stream_sink.ts";
export type { FormatOption } from "./lib/sinks/format_option.ts";
export type { ContextStorage, FileDriver, FileReader, FsOps, Runtime } from "./lib/runtime/runtime.ts";
export { detectRuntime } from "./lib/runtime/detect.ts";
