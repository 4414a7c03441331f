// Summarises a V8 .cpuprofile (node --cpu-prof): self time per function, self time per module
// (package or source file), and inclusive time of the functions that dominate stacks.
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface Share {
  name: string;
  ms: number;
  share: number;
}

export interface Summary {
  totalMs: number;
  /** Time not idle: the denominator of the shares below. */
  busyMs: number;
  selfByFunction: Share[];
  selfByModule: Share[];
  inclusive: Share[];
}

/** node_modules/<pkg> (scoped packages kept whole), dist/<file>, node:<module>, or the pseudo-node. */
export function moduleOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1] as string;
  const dist = /\/(dist|src|bench)\/(.+)$/.exec(url);
  if (dist) return `${dist[1]}/${dist[2]}`;
  if (url.startsWith('node:')) return url;
  return url.replace(/^file:\/\//, '');
}

function label(f: CallFrame): string {
  const fn = f.functionName || '(anonymous)';
  if (!f.url) return fn;
  const where = moduleOf(f.url, fn);
  return `${fn} ${where}:${f.lineNumber + 1}`;
}

function top(map: Map<string, number>, busy: number, n: number): Share[] {
  return [...map]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, us]) => ({ name, ms: us / 1000, share: us / busy }));
}

export function summarise(path: string, n = 25): Summary {
  const p = JSON.parse(readFileSync(path, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of p.nodes) for (const c of node.children ?? []) parent.set(c, node.id);

  const selfFn = new Map<string, number>();
  const selfMod = new Map<string, number>();
  const incl = new Map<string, number>();
  let total = 0;
  let idle = 0;
  p.samples.forEach((id, i) => {
    const dt = p.timeDeltas[i] ?? 0;
    total += dt;
    const node = byId.get(id);
    if (!node) return;
    if (node.callFrame.functionName === '(idle)') {
      idle += dt;
      return;
    }
    const key = label(node.callFrame);
    selfFn.set(key, (selfFn.get(key) ?? 0) + dt);
    const mod = moduleOf(node.callFrame.url, node.callFrame.functionName);
    selfMod.set(mod, (selfMod.get(mod) ?? 0) + dt);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const f = byId.get(cur)?.callFrame;
      if (!f || !f.url) continue;
      const k = label(f);
      if (seen.has(k)) continue;
      seen.add(k);
      incl.set(k, (incl.get(k) ?? 0) + dt);
    }
  });
  const busy = Math.max(1, total - idle);
  return {
    totalMs: total / 1000,
    busyMs: busy / 1000,
    selfByFunction: top(selfFn, busy, n),
    selfByModule: top(selfMod, busy, n),
    inclusive: top(incl, busy, 500),
  };
}

export function markdown(title: string, s: Summary): string {
  const table = (rows: Share[]): string =>
    ['| % of busy | ms | function / module |', '|---:|---:|---|', ...rows.map((r) => `| ${(r.share * 100).toFixed(1)} | ${r.ms.toFixed(0)} | \`${r.name}\` |`)].join('\n');
  return [
    `### ${title}`,
    '',
    `Profile ${s.totalMs.toFixed(0)} ms, of which busy (not idle) ${s.busyMs.toFixed(0)} ms.`,
    '',
    '**Self time by module**',
    '',
    table(s.selfByModule.slice(0, 15)),
    '',
    '**Self time by function**',
    '',
    table(s.selfByFunction),
    '',
    '**Inclusive time (application frames)**',
    '',
    table(s.inclusive.filter((r) => /dist\/|bench\//.test(r.name)).slice(0, 20)),
    '',
  ].join('\n');
}
