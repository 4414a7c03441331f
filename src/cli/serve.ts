import { Command } from 'commander';
import { startServer } from '../server.js';
import { CliError, type CommonOptions, configFrom, openStore, print, withCommonOptions } from './common.js';
import { isWorker, parseWorkers, reportListening, startWorkers } from './serveWorkers.js';

function port(value: string): number {
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(n >= 0 && n <= 65535)) throw new CliError('--port must be an integer from 0 to 65535');
  return n;
}

export function serveCommand(): Command {
  return withCommonOptions(
    new Command('serve')
      .description('start the HTTP server')
      .option('--port <n>', 'port to listen on (0 picks a free one; default 3000, or PORT)')
      .option('--host <h>', 'address to listen on (default 127.0.0.1, or HOST)')
      .option('--workers <n>', "processes sharing the port (default 1; 'auto' = one per core)"),
  ).action(async (opts: CommonOptions & { port?: string; host?: string; workers?: string }) => {
    const base = configFrom(opts);
    const config = Object.freeze({ ...base, port: opts.port === undefined ? base.port : port(opts.port), host: opts.host ?? base.host });
    const workers = parseWorkers(opts.workers);
    const where = config.databaseUrl ? 'PostgreSQL' : config.dbPath;
    if (workers > 1 && !isWorker()) {
      // Migrate once, here, before the workers open the store side by side.
      await (await openStore(config)).close();
      const url = await startWorkers(workers);
      print(opts, { url, storage: where, workers }, `mailtally listening on ${url} (storage: ${where}; ${workers} workers)`);
      return;
    }
    const store = await openStore(config, 'threaded');
    let server;
    try {
      server = await startServer(store, config);
    } catch (err) {
      await store.close();
      const code = (err as { code?: string }).code;
      if (code === 'EADDRINUSE') throw new CliError(`port ${config.port} on ${config.host} is already in use`);
      if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new CliError(`cannot listen on host ${config.host}`);
      throw err;
    }
    if (isWorker()) reportListening(server.url);
    else print(opts, { url: server.url, storage: where }, `mailtally listening on ${server.url} (storage: ${where})`);
  });
}
