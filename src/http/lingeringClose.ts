// Closing a connection whose request body was not read to the end (a 413) without losing the
// answer. Node ends such a connection with destroySoon(): the answer is written, then the socket
// is destroyed with the client's unread bytes still arriving, and the kernel answers those with a
// TCP reset — which discards the 413 at a client that writes its whole body before reading
// (Python's urllib, curl with a chunked upload). Like nginx's lingering close, this sends the
// answer and a FIN, then keeps reading and discarding what the client still sends, for a bounded
// number of bytes and seconds, and closes once the client has closed its side.
import type { Socket } from 'node:net';

export interface LingerLimits {
  /** Bytes read (and dropped) after the answer before the connection is cut anyway. */
  maxBytes: number;
  /** Time after the answer before the connection is cut anyway. */
  maxMs: number;
}

const lingering = new WeakSet<Socket>();

/** Ends `socket` (after what was written) and drops what the client still sends, within `limits`. */
export function lingeringEnd(socket: Socket, limits: LingerLimits): void {
  if (socket.destroyed) return;
  lingering.add(socket);
  if (socket.writable) socket.end(); // the answer, then FIN; reading goes on (the HTTP parser drops the body)
  const start = socket.bytesRead;
  const cut = (): void => void socket.destroy();
  const timer = setTimeout(cut, limits.maxMs);
  const meter = setInterval(() => {
    if (socket.bytesRead - start > limits.maxBytes) cut();
  }, 50);
  socket.once('close', () => {
    clearTimeout(timer);
    clearInterval(meter);
  });
}

/** Makes the server's coming close of `socket` (Node calls destroySoon()) a lingering one. */
export function lingerOnClose(socket: Socket | null | undefined, limits: LingerLimits): void {
  if (!socket || socket.destroyed || lingering.has(socket)) return;
  lingering.add(socket);
  socket.destroySoon = () => lingeringEnd(socket, limits);
}
