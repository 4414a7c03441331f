// The unit a client is counted under, for failed logins (auth/keyCheckGate.ts) and for open
// connections (http/connections.ts) alike. An IPv4 address is one client; an IPv6 host
// usually owns a whole /64 (SLAAC, privacy addresses) and can rotate through 2^64 addresses
// at will, so IPv6 is counted per /64. An IPv4-mapped IPv6 address (`::ffff:192.0.2.1`, what a
// dual-stack socket reports for an IPv4 client) is the IPv4 address it maps.
import { isIPv4, isIPv6 } from 'node:net';

/** The eight 16-bit groups of an IPv6 address (zone id dropped), or null when it is not one. */
function ipv6Groups(address: string): number[] | null {
  const plain = address.split('%', 1)[0] ?? '';
  if (!isIPv6(plain)) return null;
  let text = plain;
  const tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  const dotted = text.slice(lastColon + 1);
  if (isIPv4(dotted)) {
    const [a, b, c, d] = dotted.split('.').map(Number) as [number, number, number, number];
    tail.push((a << 8) | b, (c << 8) | d);
    text = `${text.slice(0, lastColon + 1)}0`; // placeholder group, replaced by `tail` below
  }
  const [head, rest] = text.includes('::') ? (text.split('::') as [string, string]) : [text, undefined];
  const parse = (s: string): number[] => (s === '' ? [] : s.split(':').map((g) => Number.parseInt(g, 16)));
  const left = parse(head);
  const right = rest === undefined ? [] : parse(rest);
  if (tail.length > 0) (right.length > 0 ? right : left).pop();
  const middle = rest === undefined ? [] : new Array<number>(8 - left.length - right.length - tail.length).fill(0);
  return [...left, ...middle, ...right, ...tail];
}

/** The key a client is counted under: the IPv4 address, or the IPv6 /64 ('unknown' without one). */
export function clientKey(address: string | undefined): string {
  if (!address) return 'unknown';
  if (isIPv4(address)) return address;
  const groups = ipv6Groups(address);
  if (!groups || groups.length !== 8) return address;
  const mapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
  if (mapped) {
    const [hi, lo] = [groups[6] as number, groups[7] as number];
    return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  }
  return `${groups.slice(0, 4).map((g) => g.toString(16)).join(':')}::/64`;
}
