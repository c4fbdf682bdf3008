/**
 * File-system operations over `node:fs`, which Node, Bun and Deno all provide.
 *
 * @module
 */
import type { FsOps } from "../lib/runtime/runtime.ts";

const CHUNK = 1 << 16;

/**
 * Builds {@linkcode FsOps} from a `node:fs` module (loaded by the adapter with
 * `process.getBuiltinModule`, never imported at the top level).
 *
 * @param fs The `node:fs` module.
 * @returns The operations.
 * @example
 * ```ts
 * import { fsOps } from "./fs_ops.ts";
 * const ops = fsOps(process.getBuiltinModule("node:fs"));
 * ops.list("./logs");
 * ```
 */
// deno-lint-ignore no-explicit-any -- an untyped runtime global or driver object (no @types for Bun, Deno and Node here)
export function fsOps(fs: any): FsOps {
  return {
    rename: (from, to) => fs.renameSync(from, to),
    syncDir(dir) {
      const fd = fs.openSync(dir, "r");
      try {
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
    },
    remove(path) {
      try {
        fs.unlinkSync(path);
      } catch (err) {
        if ((err as { code?: string }).code !== "ENOENT") throw err;
      }
    },
    list(dir) {
      try {
        return fs.readdirSync(dir);
      } catch (err) {
        if ((err as { code?: string }).code === "ENOENT") return [];
        throw err;
      }
    },
    readText(path) {
      try {
        return fs.readFileSync(path, "utf8");
      } catch (err) {
        if ((err as { code?: string }).code === "ENOENT") return undefined;
        throw err;
      }
    },
    stat(path) {
      try {
        const st = fs.statSync(path);
        return { size: st.size, id: `${st.dev}:${st.ino}`, directory: st.isDirectory() };
      } catch (err) {
        if ((err as { code?: string }).code === "ENOENT") return undefined;
        throw err;
      }
    },
    openReader(path) {
      const fd = fs.openSync(path, "r");
      const st = fs.fstatSync(fd);
      return {
        id: `${st.dev}:${st.ino}`,
        size: () => fs.fstatSync(fd).size,
        read(position, length) {
          const buf = new Uint8Array(length);
          let n = 0;
          for (let r; n < length && (r = fs.readSync(fd, buf, n, length - n, position + n)) > 0;) n += r;
          return buf.subarray(0, n);
        },
        close: () => fs.closeSync(fd),
      };
    },
    openRead(path) {
      let fd: number | undefined;
      /** A read is queued: a cancel meanwhile closes the descriptor when it ends (never under it). */
      let reading = false, cancelled = false;
      /** Closes the descriptor once. */
      const release = () => {
        if (fd !== undefined) fs.closeSync(fd);
        fd = undefined;
      };
      return new ReadableStream<Uint8Array>({
        start() {
          fd = fs.openSync(path, "r");
        },
        async pull(controller) {
          const buf = new Uint8Array(CHUNK);
          reading = true;
          // a failed read errors the stream, which then is not cancelled: the descriptor is closed here
          const n: number = await new Promise((resolve, reject) =>
            fs.read(fd, buf, 0, CHUNK, null, (err: Error | null, read: number) => {
              reading = false;
              if (err || cancelled) release();
              return err ? reject(err) : resolve(read);
            })
          );
          if (cancelled) return;
          if (n === 0) {
            release();
            controller.close();
          } else controller.enqueue(buf.subarray(0, n));
        },
        cancel() {
          cancelled = true;
          if (!reading) release();
        },
      });
    },
    openWrite(path) {
      let fd: number | undefined;
      /** Closes the descriptor once: a failed write errors the stream, which then is not aborted. */
      const release = () => {
        if (fd !== undefined) fs.closeSync(fd);
        fd = undefined;
      };
      const write = (bytes: Uint8Array) =>
        new Promise<void>((resolve, reject) =>
          fs.write(fd, bytes, 0, bytes.length, null, (err: Error | null, n: number) => {
            if (err) (release(), reject(err));
            else if (n < bytes.length) write(bytes.subarray(n)).then(resolve, reject);
            else resolve();
          })
        );
      return new WritableStream<Uint8Array>({
        start() {
          fd = fs.openSync(path, "w");
        },
        write,
        close() {
          try {
            fs.fsyncSync(fd);
          } finally {
            release();
          }
        },
        abort: release,
      });
    },
  };
}
