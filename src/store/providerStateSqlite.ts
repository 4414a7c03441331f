// SQLite side of the per-provider webhook state (migrations 006, 007): signing keys and
// Mailgun's one-time tokens. Kept apart from sqlite.ts, which it is spread into.
import type Database from 'better-sqlite3';
import type { Store, TokenClaim } from './types.js';

type ProviderState = Pick<Store, 'providerWebhookKey' | 'setProviderWebhookKey' | 'claimWebhookToken'>;

export function sqliteProviderState(db: Database.Database, retentionMs: number, guard: <T>(fn: () => T) => Promise<T>): ProviderState {
  const q = {
    key: db.prepare('SELECT signing_key FROM provider_webhook_keys WHERE customer_id = ? AND provider = ?'),
    customerId: db.prepare('SELECT id FROM customers WHERE username = ?'),
    setKey: db.prepare(
      `INSERT INTO provider_webhook_keys (customer_id, provider, signing_key) VALUES (?, ?, ?)
       ON CONFLICT (customer_id, provider) DO UPDATE SET signing_key = excluded.signing_key`,
    ),
    clearKey: db.prepare('DELETE FROM provider_webhook_keys WHERE customer_id = ? AND provider = ?'),
    // An expired sighting is taken over as if absent (changes = 1), as fingerprints are.
    claim: db.prepare(
      `INSERT INTO webhook_replay_tokens (customer_id, provider, token, body_hash, received_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (customer_id, provider, token) DO UPDATE SET body_hash = excluded.body_hash, received_at = excluded.received_at
       WHERE webhook_replay_tokens.received_at < ?`,
    ),
    seen: db.prepare('SELECT body_hash FROM webhook_replay_tokens WHERE customer_id = ? AND provider = ? AND token = ?'),
    // Bounded cleanup on each claim keeps the table within the retention window.
    prune: db.prepare(
      `DELETE FROM webhook_replay_tokens WHERE rowid IN (
         SELECT rowid FROM webhook_replay_tokens WHERE customer_id = ? AND received_at < ? LIMIT 100)`,
    ),
  };
  const claimTx = db.transaction((customerId: number, provider: string, token: string, bodyHash: Buffer, nowMs: number): TokenClaim => {
    const cutoff = nowMs - retentionMs;
    q.prune.run(customerId, cutoff);
    if (q.claim.run(customerId, provider, token, bodyHash, nowMs, cutoff).changes === 1) return 'fresh';
    const row = q.seen.get(customerId, provider, token) as { body_hash: Buffer } | undefined;
    return row && Buffer.compare(row.body_hash, bodyHash) === 0 ? 'retry' : 'replay';
  });
  return {
    providerWebhookKey: (customerId, provider) => guard(() => (q.key.get(customerId, provider) as { signing_key: string } | undefined)?.signing_key ?? null),
    setProviderWebhookKey: (username, provider, key) =>
      guard(() => {
        const row = q.customerId.get(username) as { id: number } | undefined;
        if (!row) return false;
        if (key === null) q.clearKey.run(row.id, provider);
        else q.setKey.run(row.id, provider, key);
        return true;
      }),
    claimWebhookToken: (customerId, provider, token, bodyHash, now) => guard(() => claimTx.immediate(customerId, provider, token, bodyHash, now.getTime())),
  };
}
