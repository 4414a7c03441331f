// Every connection the listening server holds, so none can be held without limit: a cap on
// connections in total and per client address (IPv6 per /64), the idle ones closed first under
// pressure, and a shutdown that closes idle connections at once and the rest after a grace.
//
// "Idle" here means no request is being handled on the connection: a keep-alive socket between
// requests, a fresh one that has not finished sending its headers (a slow-header client is idle
// until its request starts), or one that never sends anything. Requests in flight are never cut
// by the caps; only a shutdown's grace period ends them.
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { clientKey } from '../domain/clientAddress.js';

export interface ConnectionLimits {
  /** Connections held at most; a new one beyond it is closed as it arrives. */
  maxConnections: number;
  /** Connections one address holds at most; 0 means no per-address cap. */
  maxPerAddress: number;
}

/** Above this share of maxConnections, idle connections are closed, oldest first, for new ones. */
export const PRESSURE = 0.8;

export type Refusal = 'total' | 'address';

interface Tracked {
  key: string;
  /** Requests being handled on this connection. */
  busy: number;
}

/**
 * The accounting, kept apart from sockets so it can be tested on its own: which connections are
 * open, under which address, which are idle (in the order they became idle).
 */
export class ConnectionTable<C> {
  private readonly open = new Map<C, Tracked>();
  private readonly perKey = new Map<string, number>();
  /** Idle connections; a Set iterates in insertion order, so the first is the longest idle. */
  private readonly idle = new Set<C>();

  constructor(private readonly limits: ConnectionLimits) {}

  get size(): number {
    return this.open.size;
  }

  countOf(key: string): number {
    return this.perKey.get(key) ?? 0;
  }

  /**
   * Admits `conn` from `key`, or says why not. `evict` receives the idle connections closed to
   * make room (they are forgotten here at once).
   */
  admit(conn: C, key: string, evict: (c: C) => void): Refusal | undefined {
    if (this.limits.maxPerAddress > 0 && this.countOf(key) >= this.limits.maxPerAddress) return 'address';
    const soft = Math.max(1, Math.floor(this.limits.maxConnections * PRESSURE));
    for (const c of this.idle) {
      if (this.open.size < soft) break;
      this.forget(c);
      evict(c);
    }
    if (this.open.size >= this.limits.maxConnections) return 'total';
    this.open.set(conn, { key, busy: 0 });
    this.perKey.set(key, this.countOf(key) + 1);
    this.idle.add(conn);
    return undefined;
  }

  requestStarted(conn: C): void {
    const t = this.open.get(conn);
    if (!t) return;
    t.busy++;
    this.idle.delete(conn);
  }

  /** True when the connection is now idle. */
  requestEnded(conn: C): boolean {
    const t = this.open.get(conn);
    if (!t) return false;
    t.busy = Math.max(0, t.busy - 1);
    if (t.busy === 0) this.idle.add(conn);
    return t.busy === 0;
  }

  forget(conn: C): void {
    const t = this.open.get(conn);
    if (!t) return;
    this.open.delete(conn);
    this.idle.delete(conn);
    const n = this.countOf(t.key) - 1;
    if (n > 0) this.perKey.set(t.key, n);
    else this.perKey.delete(t.key);
  }

  idleConnections(): C[] {
    return [...this.idle];
  }

  all(): C[] {
    return [...this.open.keys()];
  }
}

/** Closes a connection without losing what was already written to it. */
function close(socket: Socket): void {
  if (socket.writableLength > 0) socket.destroySoon();
  else socket.destroy();
}

export interface ConnectionGuard {
  readonly size: number;
  /** Shutdown has begun: idle connections close now, and each busy one as soon as it is idle. */
  closeIdle(): void;
  /** The grace period is over: every connection closes. */
  closeAll(): void;
}

export function guardConnections(server: Server, limits: ConnectionLimits, onRefused: (reason: Refusal, key: string) => void): ConnectionGuard {
  const table = new ConnectionTable<Socket>(limits);
  let draining = false;
  // First among the listeners: a connection refused here never reaches the HTTP parser, and the
  // idle ones evicted for it are chosen before the newcomer itself counts as idle.
  server.prependListener('connection', (socket: Socket) => {
    const key = clientKey(socket.remoteAddress);
    const refused = draining ? 'total' : table.admit(socket, key, close);
    if (refused) {
      socket.destroy();
      onRefused(refused, key);
      return;
    }
    socket.once('close', () => table.forget(socket));
  });
  server.on('request', (req, res) => {
    const socket = req.socket;
    table.requestStarted(socket);
    res.once('close', () => {
      if (table.requestEnded(socket) && draining) close(socket);
    });
  });
  return {
    get size() {
      return table.size;
    },
    closeIdle() {
      draining = true;
      for (const s of table.idleConnections()) close(s);
    },
    closeAll() {
      draining = true;
      for (const s of table.all()) s.destroy();
    },
  };
}
