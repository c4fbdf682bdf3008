/**
 * Compressing a rotated file.
 *
 * @module
 */
import type { FsOps } from "../runtime/runtime.ts";

/**
 * Gzips `path` to `path.gz` with `CompressionStream`, through a temporary name (fsynced before
 * it is renamed), then deletes `path`. A crash midway leaves the original intact; with
 * `renamed` (a durable file's: its directory's fsync), a power cut too, as the new name is kept
 * before the original is deleted.
 *
 * @param fs File-system operations.
 * @param path The file to compress.
 * @param renamed Called after the rename, before the original is deleted.
 * @example
 * ```ts
 * import { gzipFile } from "./gzip_file.ts";
 * import { detectRuntime } from "../../mod.ts";
 * const runtime = detectRuntime();
 * const rotated = runtime.openFile!("./logs/app.2026-11-22T00-00-00-000Z.ndjson");
 * rotated.write('{"msg":"old"}\n');
 * rotated.close();
 * await gzipFile(runtime.fs!, "./logs/app.2026-11-22T00-00-00-000Z.ndjson"); // now ….ndjson.gz
 * ```
 */
export async function gzipFile(fs: FsOps, path: string, renamed?: () => void): Promise<void> {
  const tmp = `${path}.gz.tmp`;
  const gzip = new CompressionStream("gzip") as unknown as TransformStream<Uint8Array, Uint8Array>;
  try {
    await fs.openRead(path).pipeThrough(gzip).pipeTo(fs.openWrite(tmp));
  } catch (err) {
    fs.remove(tmp); // a full disk must not keep half a copy: the rotated file stays as it was
    throw err;
  }
  fs.rename(tmp, `${path}.gz`);
  renamed?.();
  fs.remove(path);
}
