// /proc readers: resident memory of a process tree and CPU time, for the import row and for
// noticing when something else on the machine is busy during a row.
import { readFileSync, readdirSync } from 'node:fs';

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

export function childrenOf(pid: number): number[] {
  const text = read(`/proc/${pid}/task/${pid}/children`);
  return text ? text.trim().split(/\s+/).filter(Boolean).map(Number) : [];
}

/** pid and every descendant. */
export function processTree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) out.push(...childrenOf(out[i] as number));
  return out;
}

export function commOf(pid: number): string {
  return read(`/proc/${pid}/comm`)?.trim() ?? '';
}

/** VmRSS in bytes, or 0 when the process is gone. */
export function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(read(`/proc/${pid}/status`) ?? '');
  return m ? Number(m[1]) * 1024 : 0;
}

const TICKS = 100; // USER_HZ on Linux

/** CPU seconds (own + reaped children) of every user-space process, by pid. */
export function processCpuSeconds(): Map<number, { comm: string; seconds: number }> {
  const out = new Map<number, { comm: string; seconds: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = read(`/proc/${entry}/stat`);
    if (!stat) continue;
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // flags (field 9) has PF_KTHREAD for kernel threads: their I/O work is caused by whoever
    // writes, often this suite, so it is not counted as another process's load.
    if ((Number(fields[6]) & 0x00200000) !== 0) continue;
    out.set(Number(entry), { comm, seconds: [11, 12, 13, 14].reduce((s, i) => s + Number(fields[i] ?? 0), 0) / TICKS });
  }
  return out;
}

/**
 * CPU seconds that processes outside `ours` used between two snapshots. Processes that started
 * and ended in between count through their parent's reaped-children time.
 */
export function foreignCpuSeconds(
  before: ReadonlyMap<number, { comm: string; seconds: number }>,
  after: ReadonlyMap<number, { comm: string; seconds: number }>,
  isOurs: (pid: number, comm: string) => boolean,
): number {
  let total = 0;
  for (const [pid, a] of after) {
    if (isOurs(pid, a.comm)) continue;
    const b = before.get(pid);
    total += b && b.comm === a.comm ? Math.max(0, a.seconds - b.seconds) : a.seconds;
  }
  return total;
}
