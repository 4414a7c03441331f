// The listening server: socket, logging, graceful shutdown. SIGTERM/SIGINT stop accepting new
// connections, let requests in flight (batches being committed) finish, then close storage.
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { buildApp, defaultLogger } from './app.js';
import type { Config } from './config.js';
import { startPruner } from './services/pruner.js';
import type { Store } from './store/types.js';

export interface RunningServer {
  app: FastifyInstance;
  url: string;
  close(): Promise<void>;
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
  });
  // While shutting down, answers to requests still in flight say `Connection: close`, so their
  // keep-alive sockets end with the answer instead of holding the exit for the idle timeout.
  let shuttingDown = false;
  app.addHook('onSend', async (_request, reply) => {
    if (shuttingDown) reply.header('connection', 'close');
  });
  const url = await app.listen({ port: config.port, host: config.host, listenTextResolver: (address) => `listening at ${address}` });

  const pruner = startPruner(store, config.retentionMs, config.pruneIntervalMs, (err) => app.log.warn({ err }, 'pruning failed; will retry'), undefined, config.quarantineRetentionMs);

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      shuttingDown = true;
      await app.close(); // stops accepting, lets requests in flight finish
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
