// The listening server: socket, connection limits, logging, graceful shutdown. SIGTERM/SIGINT
// stop accepting new connections and close idle ones at once; requests in flight (batches being
// committed) may finish within the grace period, after which every connection left is cut; then
// storage is closed and the process exits 0.
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { buildApp, defaultLogger } from './app.js';
import type { Config } from './config.js';
import { guardConnections } from './http/connections.js';
import { startPruner } from './services/pruner.js';
import type { Store } from './store/types.js';

export interface RunningServer {
  app: FastifyInstance;
  url: string;
  close(): Promise<void>;
}

// File descriptors kept back for the database files, the PostgreSQL pool, logs and the listener.
const FD_RESERVE = 256;

/** The process's soft limit on open files (Linux), if it can be read. */
function openFileLimit(): number | undefined {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
    const soft = Number(line?.split(/\s{2,}/)[1]);
    return Number.isInteger(soft) && soft > 0 ? soft : undefined;
  } catch {
    return undefined;
  }
}

export async function startServer(store: Store, config: Readonly<Config>): Promise<RunningServer> {
  // Buffered, asynchronous writes: a synchronous write per request line was ~15% of a light
  // stats call. The buffer is flushed on shutdown; a kill -9 may lose its last lines.
  const stream = pino.destination({ dest: 2, sync: false, minLength: 4096 });
  const logger = { ...(defaultLogger(config.logLevel) as object), stream };
  const app = await buildApp({
    store,
    logger,
    credentialCacheMs: config.credentialCacheMs,
    webhookBodyLimit: config.webhookBodyLimit,
    maxEventsPerBody: config.maxEventsPerBody,
    maxEventBytes: config.maxEventBytes,
    trustProxy: config.trustProxy,
    throttle: { concurrentChecks: config.keyChecks, queuedChecks: config.keyCheckQueue },
    sessionSecret: config.sessionSecret,
    requestTimeoutMs: config.requestTimeoutMs,
  });
  // While shutting down, answers to requests still in flight say `Connection: close`, so their
  // keep-alive sockets end with the answer instead of holding the exit for the idle timeout.
  let shuttingDown = false;
  app.addHook('onSend', async (_request, reply) => {
    if (shuttingDown) reply.header('connection', 'close');
  });

  // More connections than file descriptors would make the process fail in every other way
  // (no database file, no log line): the cap stays below the limit whatever is configured.
  const fdLimit = openFileLimit();
  const maxConnections = fdLimit === undefined ? config.maxConnections : Math.max(1, Math.min(config.maxConnections, fdLimit - FD_RESERVE));
  if (maxConnections < config.maxConnections) {
    app.log.warn({ configured: config.maxConnections, openFileLimit: fdLimit, maxConnections }, 'MAILTALLY_MAX_CONNECTIONS lowered to fit the open-file limit');
  }
  // One line per address and second at most, so a flood cannot flood the log too.
  let lastRefusalLog = 0;
  const connections = guardConnections(app.server, { maxConnections, maxPerAddress: config.maxConnectionsPerIp }, (reason, key) => {
    const now = Date.now();
    if (now - lastRefusalLog < 1000) return;
    lastRefusalLog = now;
    app.log.warn({ reason, address: key, open: connections.size }, reason === 'address' ? 'connection refused: per-address limit' : 'connection refused: server full');
  });
  const url = await app.listen({ port: config.port, host: config.host, listenTextResolver: (address) => `listening at ${address}` });

  const pruner = startPruner(store, config.retentionMs, config.pruneIntervalMs, (err) => app.log.warn({ err }, 'pruning failed; will retry'), undefined, config.quarantineRetentionMs);

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      shuttingDown = true;
      connections.closeIdle();
      // Node stops enforcing its request timeouts once the server closes, so a client trickling
      // header bytes, or a request that never ends, would otherwise hold the exit for ever.
      const grace = setTimeout(() => {
        app.log.warn({ open: connections.size }, 'shutdown grace period over: closing the remaining connections');
        connections.closeAll();
        app.server.closeAllConnections();
      }, config.shutdownGraceMs);
      try {
        await app.close(); // stops accepting; resolves once every connection has closed
      } finally {
        clearTimeout(grace);
      }
      await pruner.stop();
      await store.close();
      stream.flushSync();
    })());
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      app.log.info({ signal }, 'shutting down');
      close().then(
        () => process.exit(0),
        (err: unknown) => {
          app.log.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
    });
  }
  return { app, url, close };
}
