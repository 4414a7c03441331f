// `reseller set-brand`: the name and accent colour a reseller's customers see on their dashboard
// (SPEC section 8). Bad input is a usage error (exit 2, one line from commander), an unknown
// reseller a failure (exit 1), like every other command.
import { type Command, Option } from 'commander';
import { checkBrandColor, checkBrandName } from '../domain/brand.js';
import { CliError, type CommonOptions, print, withCommonOptions, withStore } from './common.js';

export function brandCommands(reseller: Command): void {
  withCommonOptions(
    reseller
      .command('set-brand <api_user>')
      .description("brand the dashboard of a reseller's customers: its name in the header, its accent colour; --clear goes back to mailtally's")
      .addOption(new Option('--name <name>', 'brand name, 1 to 64 printable characters (shown as text)'))
      .addOption(new Option('--color <#RRGGBB>', "accent colour, exactly #RRGGBB, e.g. '#1a73e8'"))
      .addOption(new Option('--clear', 'remove the brand').conflicts(['name', 'color'])),
  ).action(async (apiUser: string, opts: CommonOptions & { name?: string; color?: string; clear?: boolean }, cmd: Command) => {
    // Name and colour go together: a brand half set would show one reseller's name in another's colour.
    if (!opts.clear && (opts.name === undefined || opts.color === undefined)) cmd.error('error: give both --name and --color, or --clear', { exitCode: 2 });
    // Checked here rather than by commander, whose message repeats the value: a name holding a
    // line break would then print more than the one line an error gets.
    const name = opts.clear ? null : checkBrandName(opts.name as string);
    const color = opts.clear ? null : checkBrandColor(opts.color as string);
    if (name && !name.ok) cmd.error(`error: --name ${name.error}`, { exitCode: 2 });
    if (color && !color.ok) cmd.error(`error: --color ${color.error}`, { exitCode: 2 });
    const brand = name?.ok && color?.ok ? { name: name.name, color: color.color } : null;
    const found = await withStore(opts, (store) => store.setResellerBrand(apiUser, brand));
    if (!found) throw new CliError(`reseller ${apiUser} not found`);
    print(opts, { api_user: apiUser, brand }, brand ? `reseller ${apiUser} brand: ${brand.name} ${brand.color}` : `reseller ${apiUser} brand cleared`);
  });
}
