// Row 8: webhook ingest per provider over HTTP on SQLite (issue 12), events/s against SendGrid
// bodies of the same shape: providers that post one event per request (Mailgun, Postmark,
// Resend, Postal) against one-event SendGrid arrays; batching providers (SparkPost, Mailjet,
// Brevo) against 1,000-event SendGrid arrays. Half deliveries, half opens, over 200 messages ×
// 500 recipients, 4 concurrent senders, BENCH_PROVIDER_SECONDS per provider (default 8, quick 3).
import { join } from 'node:path';
import { QUICK, type RowResult, ensureBuilt, fmt, log, runRow, tempDir } from './lib/env.js';
import { percentile, postBatches } from './lib/http.js';
import { BASIC, CUSTOMER, setupInstallation, startServer } from './lib/server.js';

const SECONDS = Number(process.env.BENCH_PROVIDER_SECONDS ?? (QUICK ? 3 : 8));
const BATCH = 1000;
const now = Math.floor(Date.now() / 1000);
const unit = (i: number) => ({ id: `m${i % 200}`, to: `u${i % 500}@example.com`, ts: now - (i % 86_400) });
const iso = (s: number): string => new Date(s * 1000).toISOString();

// One provider event i (even: a delivery, odd: an open), as the provider sends it.
const ITEM: Record<string, (i: number) => unknown> = {
  sendgrid: (i) => ({ event: i % 2 ? 'open' : 'delivered', timestamp: unit(i).ts, email: unit(i).to, sg_message_id: unit(i).id, sg_event_id: `e${i}` }),
  mailgun: (i) => ({
    signature: { timestamp: String(now), token: `t${i}`, signature: '0'.repeat(64) },
    'event-data': { event: i % 2 ? 'opened' : 'delivered', id: `e${i}`, timestamp: unit(i).ts + 0.25, recipient: unit(i).to, tags: ['bench'], message: { headers: { 'message-id': `${unit(i).id}@example.org` } } },
  }),
  postmark: (i) => (i % 2 ? { RecordType: 'Open', MessageID: unit(i).id, Recipient: unit(i).to, ReceivedAt: iso(unit(i).ts), Tag: 'bench' } : { RecordType: 'Delivery', MessageID: unit(i).id, Recipient: unit(i).to, DeliveredAt: iso(unit(i).ts), Tag: 'bench' }),
  resend: (i) => ({ type: i % 2 ? 'email.opened' : 'email.delivered', created_at: iso(unit(i).ts), data: { email_id: unit(i).id, to: [unit(i).to], tags: { bench: 'yes' } } }),
  postal: (i) => ({ event: i % 2 ? 'MessageLoaded' : 'MessageSent', timestamp: unit(i).ts, uuid: `u${i}`, payload: { message: { message_id: unit(i).id, to: unit(i).to, tag: 'bench', direction: 'outgoing' }, status: 'Sent', timestamp: unit(i).ts } }),
  sparkpost: (i) => ({ msys: { [i % 2 ? 'track_event' : 'message_event']: { type: i % 2 ? 'open' : 'delivery', event_id: `e${i}`, transmission_id: unit(i).id, rcpt_to: unit(i).to, timestamp: String(unit(i).ts), campaign_id: 'bench' } } }),
  mailjet: (i) => ({ event: i % 2 ? 'open' : 'sent', time: unit(i).ts, MessageID: `1942177739619${String(4900 + (i % 200))}`, email: unit(i).to, customcampaign: 'bench' }),
  brevo: (i) => ({ event: i % 2 ? 'opened' : 'delivered', ts_event: unit(i).ts, 'message-id': `<${unit(i).id}@smtp-relay.mailin.fr>`, email: unit(i).to, tags: ['bench'] }),
};

/** Bodies of `perBody` items; Mailjet ids as bare 17-digit numbers, as Mailjet sends them. */
function bodies(provider: string, perBody: number, count: number): string[] {
  const make = ITEM[provider] as (i: number) => unknown;
  const out: string[] = [];
  for (let b = 0; b < count; b++) {
    const items = Array.from({ length: perBody }, (_, k) => make(b * perBody + k));
    let text = JSON.stringify(perBody === 1 && provider !== 'sendgrid' ? items[0] : items);
    if (provider === 'mailjet') text = text.replace(/"MessageID":"(\d+)"/g, '"MessageID":$1');
    out.push(text);
  }
  return out;
}

await runRow('providers', async (): Promise<RowResult[]> => {
  ensureBuilt();
  const dir = tempDir('providers');
  const storage = { db: join(dir.path, 'mailtally.sqlite') };
  await setupInstallation(storage);
  const server = await startServer(storage, { logFile: join(dir.path, 'server.log') });
  const rates: Record<string, { rate: number; note: string }> = {};
  try {
    const measure = async (label: string, provider: string, perBody: number, count: number): Promise<void> => {
      const url = `${server.url}/webhooks/${provider}?user=${CUSTOMER}`;
      await postBatches(url, bodies(provider, perBody, 20), perBody, { senders: 1, seconds: 30, headers: { authorization: BASIC } }); // warm-up
      const run = await postBatches(url, bodies(provider, perBody, count), perBody, { senders: 4, seconds: SECONDS, headers: { authorization: BASIC } });
      if (run.rejected !== 0) throw new Error(`${label}: ${run.rejected} items rejected`);
      rates[label] = { rate: run.events / run.seconds, note: `${fmt.int(run.events)} events in ${run.batches} requests; p50 ${fmt.ms(percentile(run.latencies, 50))}` };
      log('providers', `${label}: ${fmt.int(rates[label].rate)} events/s`);
    };
    await measure('sendgrid-1', 'sendgrid', 1, 20_000);
    await measure('sendgrid-1000', 'sendgrid', BATCH, 200);
    for (const p of ['mailgun', 'postmark', 'resend', 'postal']) await measure(p, p, 1, 20_000);
    for (const p of ['sparkpost', 'mailjet', 'brevo']) await measure(p, p, BATCH, 200);
  } finally {
    await server.stop();
    dir.cleanup();
  }
  const row = (p: string, base: string): RowResult => {
    const r = rates[p] as { rate: number; note: string };
    const b = (rates[base] as { rate: number }).rate;
    return { row: '8', what: `${p} webhook, SQLite (events/s)`, measured: fmt.int(r.rate), baseline: `${fmt.int(b)} (${base})`, ratio: fmt.ratio(r.rate / b), target: 'info', pass: null, note: r.note };
  };
  return [
    ...['mailgun', 'postmark', 'resend', 'postal'].map((p) => row(p, 'sendgrid-1')),
    ...['sparkpost', 'mailjet', 'brevo'].map((p) => row(p, 'sendgrid-1000')),
  ];
});
