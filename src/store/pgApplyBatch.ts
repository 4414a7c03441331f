// One ingest batch on PostgreSQL in four round trips whatever its size and content: BEGIN with
// the customer's advisory lock (one simple query), the fingerprint insert together with the
// lookup of stored first-open/click markers (one statement), every write the batch plans — markers,
// the three rollups, the category list, suppressions, quarantine, the rollup version — as
// data-modifying CTEs of one statement, and COMMIT (it was eleven or more). Batches of one
// customer take turns on the lock, so every round trip inside it is time the next batch waits —
// more so with the database across a network. On the bench machine (local socket, 2 cores) the
// webhook rate moved within noise; a store-level run of 4 concurrent callers gained ~20 %.
import type pg from 'pg';
import { type Marker, markerKey, planBatch } from '../domain/batch.js';
import type { NormalizedEvent } from '../domain/events.js';
import { METRICS } from '../domain/metrics.js';
import { type QuarantineLimits, quarantineRows } from '../domain/quarantineRows.js';
import { PG_BUMP_ROLLUP_VERSION } from './pgReadModel.js';
import { METRIC_COLUMNS, incrementAll } from './sql.js';
import { PG_UPSERT_SUPPRESSIONS } from './suppressionsPostgres.js';
import type { BatchResult, Customer, Rejection } from './types.js';

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Statement parameters numbered as they are added, so optional parts need no fixed slots. */
class Params {
  readonly values: unknown[] = [];
  add(value: unknown, type: string): string {
    this.values.push(value);
    return `$${this.values.length}::${type}`;
  }
}

/**
 * A statement's text with `$1`-based placeholders renumbered after `offset`: the upsert texts
 * shared with other modules (suppressions) are written for their own parameter list.
 */
function renumber(text: string, map: readonly string[]): string {
  return text.replace(/\$(\d+)(::[a-z\[\]]+)?/g, (_, n: string) => map[Number(n) - 1] as string);
}

interface StoredMarkerRow {
  fingerprint: Buffer | null;
  kind: string | null;
  message: Buffer | null;
  ts: string | null;
  day: number | null;
  categories: string | null;
}

export async function applyBatchPostgres(
  client: pg.PoolClient,
  customer: Customer,
  events: readonly NormalizedEvent[],
  rejected: readonly Rejection[],
  nowMs: number,
  resolved: readonly number[],
  retentionMs: number,
  limits: QuarantineLimits,
): Promise<BatchResult> {
  const cid = customer.id;
  if (!Number.isSafeInteger(cid)) throw new Error(`invalid customer id ${cid}`);
  try {
    // No parameters in the simple protocol, so two statements go in one round trip; the id is an integer.
    await client.query(`BEGIN; SELECT pg_advisory_xact_lock(${cid}::bigint)`);

    const liveSince = nowMs - retentionMs;
    let fresh: NormalizedEvent[] = [];
    const markers = new Map<string, Marker>();
    if (events.length > 0) {
      // Fingerprints inserted, or taken over from an expired row (it counts as absent), come back;
      // DISTINCT because ON CONFLICT DO UPDATE may not touch one row twice in a statement. The
      // live markers of every message the batch names come back too: a superset of the ones its
      // new events need (planBatch looks up only those), so one statement does both.
      const keys = new Map<string, { kind: string; message: Buffer }>();
      for (const e of events) if (e.unique) keys.set(markerKey(e.unique.kind, e.unique.message), e.unique);
      const p = new Params();
      const c = p.add(cid, 'bigint');
      const live = p.add(liveSince, 'bigint');
      const fps = p.add(events.map((e) => e.fingerprint), 'bytea[]');
      const now = p.add(nowMs, 'bigint');
      const lookup =
        keys.size === 0
          ? ''
          : `UNION ALL
             SELECT NULL, f.kind, f.message, f.ts, f.day, f.categories FROM first_seen f
             JOIN unnest(${p.add([...keys.values()].map((k) => k.kind), 'text[]')}, ${p.add([...keys.values()].map((k) => k.message), 'bytea[]')}) AS k(kind, message)
               ON f.kind = k.kind AND f.message = k.message
             WHERE f.customer_id = ${c} AND f.received_at >= ${live}`;
      // Unnamed, like every statement here: as named (prepared) statements, PostgreSQL switches
      // to a generic plan after five runs, and the row 2 bench ran at half the rate.
      const { rows } = await client.query<StoredMarkerRow>({
        text: `WITH ins AS (
           INSERT INTO event_fingerprints (customer_id, fingerprint, received_at)
           SELECT ${c}, fp, ${now} FROM (SELECT DISTINCT fp FROM unnest(${fps}) AS t(fp)) d ORDER BY fp
           ON CONFLICT (customer_id, fingerprint) DO UPDATE SET received_at = excluded.received_at
           WHERE event_fingerprints.received_at < ${live}
           RETURNING fingerprint)
         SELECT fingerprint, NULL::text AS kind, NULL::bytea AS message, NULL::bigint AS ts, NULL::int AS day, NULL::text AS categories FROM ins
         ${lookup}`,
        values: p.values,
      });
      const isNew = new Set<string>();
      for (const r of rows) {
        if (r.fingerprint) isNew.add(r.fingerprint.toString('hex'));
        else if (r.kind && r.message) {
          markers.set(markerKey(r.kind as 'open' | 'click', r.message), { timestamp: Number(r.ts), day: Number(r.day), categories: JSON.parse(r.categories ?? '[]') as string[] });
        }
      }
      // A fingerprint named twice in the batch is inserted once: its first event counts.
      fresh = events.filter((e) => isNew.delete(e.fingerprint.toString('hex')));
    }

    const plan = planBatch(fresh, markers);
    const p = new Params();
    const c = p.add(cid, 'bigint');
    const writes: string[] = [];
    const add = (sql: string): void => void writes.push(sql);
    const metricArrays = (rows: ReadonlyArray<{ row: Record<string, number> }>): string => METRICS.map((m) => p.add(rows.map((r) => r.row[m]), 'bigint[]')).join(', ');

    if (plan.markers.size > 0) {
      const entries = [...plan.markers].sort(([a], [b]) => compare(a, b));
      add(`INSERT INTO first_seen (customer_id, kind, message, ts, day, categories, received_at)
        SELECT ${c}, *, ${p.add(nowMs, 'bigint')} FROM unnest(${p.add(entries.map(([k]) => k.split(':')[0]), 'text[]')}, ${p.add(
          entries.map(([k]) => Buffer.from(k.split(':')[1] as string, 'hex')),
          'bytea[]',
        )}, ${p.add(entries.map(([, m]) => m.timestamp), 'bigint[]')}, ${p.add(entries.map(([, m]) => m.day), 'int[]')}, ${p.add(
          entries.map(([, m]) => JSON.stringify(m.categories)),
          'text[]',
        )})
        ON CONFLICT (customer_id, kind, message) DO UPDATE SET ts = excluded.ts, day = excluded.day,
          categories = excluded.categories, received_at = excluded.received_at`);
    }
    // Rows sorted (day; name, day) so concurrent statements lock rollup rows in the same order.
    const days = [...plan.tally.daily].sort(([a], [b]) => a - b).map(([day, row]) => ({ day, row }));
    if (days.length > 0) {
      add(`INSERT INTO daily_stats (customer_id, day, ${METRIC_COLUMNS})
        SELECT ${c}, * FROM unnest(${p.add(days.map((r) => r.day), 'int[]')}, ${metricArrays(days)})
        ON CONFLICT (customer_id, day) DO UPDATE SET ${incrementAll('daily_stats')}`);
    }
    const catRows = [...plan.tally.byCategory]
      .flatMap(([name, byDay]) => [...byDay].map(([day, row]) => ({ name, day, row })))
      .sort((a, b) => compare(a.name, b.name) || a.day - b.day);
    if (catRows.length > 0) {
      add(`INSERT INTO category_daily_stats (customer_id, category, day, ${METRIC_COLUMNS})
        SELECT ${c}, * FROM unnest(${p.add(catRows.map((r) => r.name), 'text[]')}, ${p.add(catRows.map((r) => r.day), 'int[]')}, ${metricArrays(catRows)})
        ON CONFLICT (customer_id, category, day) DO UPDATE SET ${incrementAll('category_daily_stats')}`);
    }
    const providerRows = [...plan.tally.byProvider]
      .flatMap(([name, byDay]) => [...byDay].map(([day, row]) => ({ name, day, row })))
      .sort((a, b) => a.day - b.day || compare(a.name, b.name));
    if (providerRows.length > 0) {
      add(`INSERT INTO provider_daily_stats (customer_id, provider, day, ${METRIC_COLUMNS})
        SELECT ${c}, * FROM unnest(${p.add(providerRows.map((r) => r.name), 'text[]')}, ${p.add(providerRows.map((r) => r.day), 'int[]')}, ${metricArrays(providerRows)})
        ON CONFLICT (customer_id, day, provider) DO UPDATE SET ${incrementAll('provider_daily_stats')}`);
    }
    if (plan.categories.size > 0) {
      add(`INSERT INTO customer_categories (customer_id, category) SELECT ${c}, unnest(${p.add([...plan.categories].sort(compare), 'text[]')}) ON CONFLICT DO NOTHING`);
    }
    if (plan.suppressions.size > 0) {
      const rows = [...plan.suppressions.values()].sort((a, b) => compare(a.list, b.list) || compare(a.email, b.email));
      add(
        renumber(PG_UPSERT_SUPPRESSIONS, [
          c,
          p.add(rows.map((r) => r.list), 'text[]'),
          p.add(rows.map((r) => r.email), 'text[]'),
          p.add(rows.map((r) => r.status), 'text[]'),
          p.add(rows.map((r) => r.reason), 'text[]'),
          p.add(rows.map((r) => r.firstAdded), 'bigint[]'),
          p.add(rows.map((r) => r.created), 'bigint[]'),
        ]),
      );
    }
    // Every process holding this customer's rollups in memory sees the new number on its next read.
    if (fresh.length > 0) add(renumber(PG_BUMP_ROLLUP_VERSION, [c]));
    if (resolved.length > 0) add(`DELETE FROM quarantine WHERE customer_id = ${c} AND id = ANY(${p.add(resolved, 'bigint[]')})`);
    let quarantined = '0';
    if (rejected.length > 0) {
      const rows = quarantineRows(rejected, limits);
      add(`INSERT INTO quarantine (customer_id, received_at, batch_index, reason, payload, payload_hash)
        SELECT ${c}, ${p.add(nowMs, 'bigint')}, * FROM unnest(${p.add(rows.map((r) => r.index), 'int[]')}, ${p.add(rows.map((r) => r.reason), 'text[]')}, ${p.add(
          rows.map((r) => r.payload),
          'text[]',
        )}, ${p.add(rows.map((r) => r.digest), 'bytea[]')})
        ON CONFLICT (customer_id, payload_hash) DO NOTHING RETURNING 1`);
      quarantined = `(SELECT count(*) FROM w${writes.length - 1})`;
    }
    if (writes.length > 0) {
      // Data-modifying CTEs all run to completion, referenced or not; each touches its own table
      // (the resolved-quarantine DELETE and the quarantine INSERT never name the same row).
      const text = `WITH ${writes.map((w, i) => `w${i} AS (${w})`).join(',\n')} SELECT ${quarantined} AS quarantined`;
      const { rows } = await client.query<{ quarantined: string }>({ text, values: p.values });
      if (Number(rows[0]?.quarantined ?? 0) > 0) {
        // Everything older than the newest `cap` rows of the customer (ids grow with arrival); a
        // statement of its own, since it must see the rows just inserted.
        await client.query(
          `DELETE FROM quarantine WHERE customer_id = $1 AND id <=
             (SELECT id FROM quarantine WHERE customer_id = $1 ORDER BY id DESC LIMIT 1 OFFSET $2)`,
          [cid, limits.maxPerCustomer],
        );
      }
    }
    await client.query('COMMIT');
    return { accepted: fresh.length, duplicates: events.length - fresh.length };
  } catch (err) {
    // On a lost connection the server has already rolled back; otherwise roll back here. The
    // client is discarded either way (withClient), since it may hold a dead connection.
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
