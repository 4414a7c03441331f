// Rows 3 and 4: legacy stats calls against a bare node:http baseline (see lib/stats.ts).
import { runRow } from './lib/env.js';
import { statsRows } from './lib/stats.js';

await runRow('stats-http', () => statsRows());
