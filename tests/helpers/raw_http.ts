// Raw HTTP/1.1 over a TCP socket, for clients no HTTP library would be: headers or bodies sent
// slowly or left unfinished. Each connection says when it was answered, with what, and when the
// server closed it.
import { readdirSync } from "node:fs";
import net from "node:net";

/** One raw connection to a server. */
export interface RawConnection {
  socket: net.Socket;
  /** The status line and headers of the first answer, and ms from the start to it; null if closed unanswered. */
  answer: Promise<{ status: number; head: string; ms: number } | null>;
  /** ms from the start until the connection closed. */
  closed: Promise<number>;
  /** Sends `text` (or bytes) now. */
  send(text: string | Uint8Array): void;
  /** Sends `text` one byte every `everyMs` until it is all sent or the connection closes. */
  trickle(text: string, everyMs: number): void;
}

/** Opens a connection to 127.0.0.1:`port` and sends `first` at once. */
export function rawConnection(port: number, first = ""): RawConnection {
  const t0 = performance.now();
  const socket = net.connect(port, "127.0.0.1");
  socket.on("error", () => {});
  let got = "";
  let timer: ReturnType<typeof setInterval> | undefined;
  const closed = new Promise<number>((resolve) => socket.once("close", () => {
    clearInterval(timer);
    resolve(performance.now() - t0);
  }));
  const answer = new Promise<{ status: number; head: string; ms: number } | null>((resolve) => {
    socket.on("data", (d) => {
      got += d.toString("latin1");
      const end = got.indexOf("\r\n\r\n");
      if (end >= 0) resolve({ status: Number(got.slice(9, 12)), head: got.slice(0, end).toLowerCase(), ms: performance.now() - t0 });
    });
    socket.once("close", () => resolve(null));
  });
  if (first) socket.write(first);
  return {
    socket,
    answer,
    closed,
    send: (text) => void (socket.writable && socket.write(text)),
    trickle(text, everyMs) {
      let i = 0;
      timer = setInterval(() => {
        if (i >= text.length || !socket.writable) return clearInterval(timer);
        socket.write(text[i++]);
      }, everyMs);
    },
  };
}

/** The descriptors process `pid` has open (from /proc). */
export function openDescriptors(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}
