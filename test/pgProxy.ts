// A TCP proxy in front of PostgreSQL that a test can cut and restore, as a network outage or a
// failover would: cut() drops every open connection at once and refuses new ones until restore().
import net from 'node:net';

export interface OutageProxy {
  /** The target URL with the proxy's address in place of the server's. */
  url: string;
  /** Drops every open connection (returns how many sockets it destroyed) and refuses new ones. */
  cut(): number;
  restore(): void;
  close(): Promise<void>;
}

export async function outageProxy(target: URL): Promise<OutageProxy> {
  const sockets = new Set<net.Socket>();
  let down = false;
  const server = net.createServer((client) => {
    if (down) return client.destroy();
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const u = new URL(target.toString());
  u.hostname = '127.0.0.1';
  u.port = String(port);
  return {
    url: u.toString(),
    cut: () => {
      down = true;
      const open = sockets.size;
      for (const s of sockets) s.destroy();
      return open;
    },
    restore: () => {
      down = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
