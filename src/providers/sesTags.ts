// SES message tags → SendGrid categories. `mail.tags` is {name: [values]}; SES's own `ses:*`
// tags (configuration set, source IP, caller…) describe the sending setup, not the message, and
// are skipped. Each custom value becomes `name:value` (a bare `name` when the value is empty), in
// the order the record lists them, so the same record always gives the same categories; names
// that validateEvent would refuse are dropped and long ones cut, never failing the event.
import { MAX_CATEGORIES_PER_EVENT, MAX_CATEGORY_LENGTH } from '../domain/events.js';

// Same characters validateEvent refuses (XML 1.0 cannot carry them).
// eslint-disable-next-line no-control-regex
const UNREPRESENTABLE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function sesCategories(tags: unknown): string[] {
  if (typeof tags !== 'object' || tags === null || Array.isArray(tags)) return [];
  const out = new Set<string>();
  for (const [name, values] of Object.entries(tags as Record<string, unknown>)) {
    if (name.startsWith('ses:')) continue;
    for (const value of Array.isArray(values) ? values : [values]) {
      if (typeof value !== 'string') continue;
      let category = value === '' ? name : `${name}:${value}`;
      if (UNREPRESENTABLE.test(category)) continue;
      const chars = [...category];
      if (chars.length > MAX_CATEGORY_LENGTH) category = chars.slice(0, MAX_CATEGORY_LENGTH).join('');
      out.add(category);
      if (out.size === MAX_CATEGORIES_PER_EVENT) return [...out];
    }
  }
  return [...out];
}
