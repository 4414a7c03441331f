// PostgreSQL side of the per-provider webhook state (migrations 006, 007); see providerStateSqlite.ts.
import type pg from 'pg';
import type { Store, TokenClaim } from './types.js';

type ProviderState = Pick<Store, 'providerWebhookKey' | 'setProviderWebhookKey' | 'claimWebhookToken'>;

export function postgresProviderState(pool: pg.Pool, retentionMs: number, run: <T>(fn: () => Promise<T>) => Promise<T>): ProviderState {
  return {
    providerWebhookKey: (customerId, provider) =>
      run(async () => {
        const { rows } = await pool.query<{ signing_key: string }>('SELECT signing_key FROM provider_webhook_keys WHERE customer_id = $1 AND provider = $2', [customerId, provider]);
        return rows[0]?.signing_key ?? null;
      }),
    setProviderWebhookKey: (username, provider, key) =>
      run(async () => {
        const r =
          key === null
            ? await pool.query(
                `WITH c AS (SELECT id FROM customers WHERE username = $1)
                 DELETE FROM provider_webhook_keys k USING c WHERE k.customer_id = c.id AND k.provider = $2`,
                [username, provider],
              )
            : await pool.query(
                `INSERT INTO provider_webhook_keys (customer_id, provider, signing_key) SELECT id, $2, $3 FROM customers WHERE username = $1
                 ON CONFLICT (customer_id, provider) DO UPDATE SET signing_key = excluded.signing_key`,
                [username, provider, key],
              );
        if (key !== null) return r.rowCount === 1;
        const { rows } = await pool.query('SELECT 1 FROM customers WHERE username = $1', [username]);
        return rows.length === 1;
      }),
    claimWebhookToken: (customerId, provider, token, bodyHash, now) =>
      run(async (): Promise<TokenClaim> => {
        const nowMs = now.getTime();
        const cutoff = nowMs - retentionMs;
        await pool.query(
          `DELETE FROM webhook_replay_tokens WHERE ctid IN (
             SELECT ctid FROM webhook_replay_tokens WHERE customer_id = $1 AND received_at < $2 LIMIT 100)`,
          [customerId, cutoff],
        );
        // Concurrent claims of one token serialise on its key: one inserts, the others see its row.
        const claimed = await pool.query(
          `INSERT INTO webhook_replay_tokens (customer_id, provider, token, body_hash, received_at) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (customer_id, provider, token) DO UPDATE SET body_hash = excluded.body_hash, received_at = excluded.received_at
           WHERE webhook_replay_tokens.received_at < $6`,
          [customerId, provider, token, bodyHash, nowMs, cutoff],
        );
        if (claimed.rowCount === 1) return 'fresh';
        const { rows } = await pool.query<{ body_hash: Buffer }>('SELECT body_hash FROM webhook_replay_tokens WHERE customer_id = $1 AND provider = $2 AND token = $3', [
          customerId,
          provider,
          token,
        ]);
        return rows[0] && Buffer.compare(rows[0].body_hash, bodyHash) === 0 ? 'retry' : 'replay';
      }),
  };
}
