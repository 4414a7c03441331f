// A tiny element builder. Text always goes in as text nodes (never innerHTML), so customer and
// category names cannot inject markup.
type Child = Node | string | number | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | boolean | ((e: Event) => void)> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (typeof value === 'function') el.addEventListener(name.replace(/^on/, ''), value);
    else if (value === true) el.setAttribute(name, '');
    else if (value !== false) el.setAttribute(name, value);
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

export function show(view: HTMLElement, ...nodes: Node[]): void {
  view.replaceChildren(...nodes);
}

export const percent = (x: number | null): string => (x === null ? '–' : `${(x * 100).toFixed(1)} %`);
export const count = (n: number): string => n.toLocaleString('en-US');
