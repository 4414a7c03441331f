// `customer purge <username>`: erases a customer and every row stored for it (SPEC section 9),
// suppression lists, rollups, deduplication state and quarantined payloads included; the
// username is free again afterwards. Irreversible, so it asks for the exact username on a
// terminal, and needs --yes when nobody is there to type it (scripts, pipes).
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { CliError, type CommonOptions, print, withCommonOptions, withStore } from './common.js';

async function confirmed(username: string, yes: boolean | undefined): Promise<void> {
  if (yes) return;
  if (!process.stdin.isTTY) throw new CliError('purge is irreversible: pass --yes to confirm (no terminal to ask on)');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`This erases customer ${username} and all its data for good. Type its username to confirm: `);
    if (answer.trim() !== username) throw new CliError('not confirmed: nothing was erased');
  } finally {
    rl.close();
  }
}

export function purgeCommand(customer: Command): void {
  withCommonOptions(
    customer
      .command('purge <username>')
      .description('erase a customer and every row stored for it (lists, rollups, quarantine); its username becomes free')
      .option('--yes', 'do not ask for the username again'),
  ).action(async (username: string, opts: CommonOptions & { yes?: boolean }) => {
    await confirmed(username, opts.yes);
    const purged = await withStore(opts, (store) => store.purgeCustomer(username));
    if (!purged) throw new CliError(`customer ${username} not found`);
    const total = Object.values(purged.rows).reduce((a, b) => a + b, 0);
    print(opts, { username, purged: true, rows: purged.rows }, `customer ${username} erased (${total} rows removed)`);
  });
}
