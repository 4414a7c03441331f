// A checked-out pool client is the one place node-postgres can crash the process: pg-pool
// listens for 'error' only on idle clients, and a connection dropped while a client is checked
// out but between queries (pg_terminate_backend, a failover, a restart) is emitted as an 'error'
// event with nobody listening — an uncaught exception. Every checkout goes through here.
import type pg from 'pg';

/**
 * Runs `fn` with a pool client that carries an error listener for as long as it is checked
 * out. A client whose work failed, or whose connection reported an error, is destroyed rather
 * than returned to the pool, so the next checkout opens a fresh connection.
 */
export async function withClient<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let lost: Error | undefined;
  // The failure itself reaches the caller through the next query on this client, which
  // node-postgres then refuses ("not queryable"); the listener only has to exist.
  const onError = (err: Error): void => {
    lost ??= err;
  };
  client.on('error', onError);
  let failed: Error | undefined;
  try {
    return await fn(client);
  } catch (err) {
    failed = err instanceof Error ? err : new Error(String(err));
    throw err;
  } finally {
    // Synchronous hand-over: release() puts the pool's own idle listener back before the next
    // tick, so there is no moment without one.
    client.removeListener('error', onError);
    client.release(lost ?? failed);
  }
}
