// Names accepted by the CLI. api_user cannot hold ':' because HTTP Basic authentication (the
// webhook URL) splits user and key at the first colon.
import { CliError } from './common.js';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001F\u007F]/;

export function checkName(kind: string, value: string, { colon }: { colon: boolean }): string {
  if (value.length === 0 || value.length > 255) throw new CliError(`${kind} must be 1 to 255 characters`);
  if (CONTROL.test(value) || value.trim() !== value) throw new CliError(`${kind} must not contain control characters or surrounding spaces`);
  if (!colon && value.includes(':')) throw new CliError(`${kind} must not contain ':'`);
  return value;
}

export const MIN_API_KEY_LENGTH = 8;
