#!/usr/bin/env node
// Entry point for `npx mailtally`: runs the compiled CLI (built by `npm ci` via "prepare").
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli/index.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('mailtally: not built yet; run `npm ci` (or `npm run build`) in the repository first\n');
  process.exit(1);
}
await import(cli.href);
