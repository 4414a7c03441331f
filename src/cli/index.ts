#!/usr/bin/env node
// mailtally's command line (SPEC section 2).
import { Command, CommanderError } from 'commander';
import { customerCommand } from './customer.js';
import { dbCommand } from './db.js';
import { doctorCommand } from './doctor.js';
import { eventsCommand } from './importEvents.js';
import { failureMessage } from './common.js';
import { resellerCommand } from './reseller.js';
import { serveCommand } from './serve.js';

const program = new Command('mailtally')
  .description("self-hosted email statistics server speaking SendGrid's reseller stats API")
  .exitOverride()
  .addCommand(serveCommand())
  .addCommand(resellerCommand())
  .addCommand(customerCommand())
  .addCommand(eventsCommand())
  .addCommand(dbCommand())
  .addCommand(doctorCommand());

for (const cmd of [program, ...program.commands, ...program.commands.flatMap((c) => c.commands)]) cmd.exitOverride();

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // Commander has already printed its own usage message.
    process.exitCode = err.exitCode === 0 ? 0 : 2;
  } else {
    process.stderr.write(`mailtally: ${failureMessage(err)}\n`);
    process.exitCode = 1;
  }
}
