// The v1 rows' JSON is written directly (statsResponses.ts, dailyJson/categoryJson): it must be
// exactly JSON.stringify of the row objects the XML and every other path use, for any day,
// count and category name.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { zeroMetrics } from '../../src/domain/metrics.js';
import { V1_SHAPES } from '../../src/http/statsResponses.js';

test('v1 row JSON text equals JSON.stringify of the row object', () => {
  const names = ['promo', '', 'a"b\\c', 'tab\there', 'line\nbreak', '\u0000\u001f', 'émoji 📬', '\ud800 lone', '</stats>'];
  const counts = [0, 1, 42, 2 ** 31, 2 ** 53 - 1, 1e21, Number.NaN, Number.POSITIVE_INFINITY];
  const days = [0, 1, 20_000, 20_533, 2_932_896, -1];
  let checked = 0;
  for (const day of days) {
    for (const [i, count] of counts.entries()) {
      const row = zeroMetrics();
      row.requests = count;
      row.bounces = i;
      row.clicks = counts[(i + 3) % counts.length] as number;
      row.opens = 7;
      row.spamreports = count;
      const daily = { day, row };
      assert.equal(V1_SHAPES.dailyJson?.(daily), JSON.stringify(V1_SHAPES.daily(daily)));
      for (const category of names) {
        const r = { day, category, row };
        assert.equal(V1_SHAPES.categoryJson?.(r), JSON.stringify(V1_SHAPES.category(r)));
        checked++;
      }
    }
  }
  assert.equal(checked, days.length * counts.length * names.length);
});
