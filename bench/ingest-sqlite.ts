// Row 1: webhook ingest over HTTP on SQLite against raw better-sqlite3 (see lib/ingest.ts).
import { runRow } from './lib/env.js';
import { ingestRow } from './lib/ingest.js';

await runRow('ingest-sqlite', () => ingestRow({ backend: 'sqlite' }));
