// Row 2: webhook ingest over HTTP on PostgreSQL against a raw insert through pg (see lib/ingest.ts).
import { runRow } from './lib/env.js';
import { ingestRow } from './lib/ingest.js';

await runRow('ingest-postgres', () => ingestRow({ backend: 'postgres' }));
