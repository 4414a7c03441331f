// Calendar days (SPEC section 1: "day", "today"): parsing and formatting YYYY-MM-DD, and the day
// of an instant in a customer's IANA time zone, including odd offsets and DST changes.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dayOf, formatDay, isValidTimeZone, parseDay, todayIn } from '../../src/domain/calendar.js';

/** Unix seconds of an ISO instant. */
const at = (iso: string): number => Math.floor(Date.parse(iso) / 1000);
/** The day of an instant in a zone, as text, so failures read well. */
const localDay = (iso: string, timeZone: string): string => formatDay(dayOf(at(iso), timeZone));

describe('parseDay', () => {
  test('maps dates to days since 1970-01-01', () => {
    assert.equal(parseDay('1970-01-01'), 0);
    assert.equal(parseDay('1970-01-02'), 1);
    assert.equal(parseDay('1969-12-31'), -1);
    assert.equal(parseDay('2021-01-01'), 18_628);
  });

  test('consecutive dates are consecutive integers, across month ends and leap days', () => {
    const pairs: Array<[string, string]> = [
      ['2021-02-28', '2021-03-01'],
      ['2024-02-28', '2024-02-29'],
      ['2024-02-29', '2024-03-01'],
      ['2021-12-31', '2022-01-01'],
      ['0001-12-31', '0002-01-01'],
    ];
    for (const [a, b] of pairs) assert.equal(parseDay(b), (parseDay(a) as number) + 1, `${a} → ${b}`);
  });

  test('accepts real calendar dates, leap days included, years 0001 to 9999', () => {
    for (const text of ['2024-02-29', '2000-02-29', '1996-02-29', '0004-02-29', '2021-12-31', '2021-04-30', '0001-01-01', '9999-12-31']) {
      const day = parseDay(text);
      assert.notEqual(day, null, text);
      assert.equal(formatDay(day as number), text, `${text} round-trips`);
    }
  });

  test('years 0001..0099 are not shifted into the 1900s', () => {
    assert.equal(parseDay('0001-01-01'), -719_162);
    assert.equal(parseDay('0099-12-31'), (parseDay('0100-01-01') as number) - 1);
    assert.notEqual(parseDay('0050-06-01'), parseDay('1950-06-01'));
  });

  test('rejects dates that do not exist', () => {
    for (const text of ['2023-02-29', '1900-02-29', '2100-02-29', '2021-02-30', '2021-04-31', '2021-06-31', '2021-13-01', '2021-00-10', '2021-01-00', '2021-01-32']) {
      assert.equal(parseDay(text), null, text);
    }
  });

  test('rejects anything not written exactly YYYY-MM-DD', () => {
    const malformed = [
      '',
      '2021-1-01',
      '2021-01-1',
      '21-01-01',
      '02021-01-01',
      '+2021-01-01',
      '2021-01-01T00:00',
      '2021-01-01T00:00:00Z',
      ' 2021-01-01',
      '2021-01-01 ',
      '2021-01-01\n',
      '2021/01/01',
      '20210101',
      '2021-01-01-',
      '２０２１-01-01', // full-width digits
      '٢٠٢١-01-01', // Arabic-Indic digits
      '2021-０1-01',
      'yyyy-mm-dd',
    ];
    for (const text of malformed) assert.equal(parseDay(text), null, JSON.stringify(text));
  });
});

describe('formatDay', () => {
  test('formats epoch days as zero-padded YYYY-MM-DD', () => {
    assert.equal(formatDay(0), '1970-01-01');
    assert.equal(formatDay(-1), '1969-12-31');
    assert.equal(formatDay(18_628), '2021-01-01');
    assert.equal(formatDay(-719_162), '0001-01-01');
  });

  test('round-trips every day of a leap year and the years around it', () => {
    const first = parseDay('2023-01-01') as number;
    const last = parseDay('2025-12-31') as number;
    assert.equal(last - first + 1, 365 + 366 + 365);
    let previous = '';
    for (let day = first; day <= last; day++) {
      const text = formatDay(day);
      assert.match(text, /^\d{4}-\d{2}-\d{2}$/);
      assert.ok(text > previous, `${text} sorts after ${previous}`);
      assert.equal(parseDay(text), day, text);
      previous = text;
    }
  });
});

describe('dayOf', () => {
  // Each case: an instant just before and just after a local midnight.
  const midnights: Array<{ zone: string; before: string; after: string; dayBefore: string; dayAfter: string }> = [
    { zone: 'UTC', before: '2021-06-14T23:59:59Z', after: '2021-06-15T00:00:00Z', dayBefore: '2021-06-14', dayAfter: '2021-06-15' },
    // +05:30
    { zone: 'Asia/Kolkata', before: '2021-06-14T18:29:59Z', after: '2021-06-14T18:30:00Z', dayBefore: '2021-06-14', dayAfter: '2021-06-15' },
    // +05:45
    { zone: 'Asia/Kathmandu', before: '2021-06-14T18:14:59Z', after: '2021-06-14T18:15:00Z', dayBefore: '2021-06-14', dayAfter: '2021-06-15' },
    // -07:00 (PDT) and -08:00 (PST)
    { zone: 'America/Los_Angeles', before: '2021-06-15T06:59:59Z', after: '2021-06-15T07:00:00Z', dayBefore: '2021-06-14', dayAfter: '2021-06-15' },
    { zone: 'America/Los_Angeles', before: '2021-01-15T07:59:59Z', after: '2021-01-15T08:00:00Z', dayBefore: '2021-01-14', dayAfter: '2021-01-15' },
    // New York, 2021-03-14 (23 hours long): starts at 00:00 EST, ends at 24:00 EDT.
    { zone: 'America/New_York', before: '2021-03-14T04:59:59Z', after: '2021-03-14T05:00:00Z', dayBefore: '2021-03-13', dayAfter: '2021-03-14' },
    { zone: 'America/New_York', before: '2021-03-15T03:59:59Z', after: '2021-03-15T04:00:00Z', dayBefore: '2021-03-14', dayAfter: '2021-03-15' },
    // New York, 2021-11-07 (25 hours long): starts at 00:00 EDT, ends at 24:00 EST.
    { zone: 'America/New_York', before: '2021-11-07T03:59:59Z', after: '2021-11-07T04:00:00Z', dayBefore: '2021-11-06', dayAfter: '2021-11-07' },
    { zone: 'America/New_York', before: '2021-11-08T04:59:59Z', after: '2021-11-08T05:00:00Z', dayBefore: '2021-11-07', dayAfter: '2021-11-08' },
    // Berlin, 2021-03-28: starts at 00:00 CET, ends at 24:00 CEST.
    { zone: 'Europe/Berlin', before: '2021-03-27T22:59:59Z', after: '2021-03-27T23:00:00Z', dayBefore: '2021-03-27', dayAfter: '2021-03-28' },
    { zone: 'Europe/Berlin', before: '2021-03-28T21:59:59Z', after: '2021-03-28T22:00:00Z', dayBefore: '2021-03-28', dayAfter: '2021-03-29' },
    // Berlin, 2021-10-31: starts at 00:00 CEST, ends at 24:00 CET.
    { zone: 'Europe/Berlin', before: '2021-10-30T21:59:59Z', after: '2021-10-30T22:00:00Z', dayBefore: '2021-10-30', dayAfter: '2021-10-31' },
    { zone: 'Europe/Berlin', before: '2021-10-31T22:59:59Z', after: '2021-10-31T23:00:00Z', dayBefore: '2021-10-31', dayAfter: '2021-11-01' },
  ];
  for (const c of midnights) {
    test(`${c.zone}: ${c.before} is ${c.dayBefore}, ${c.after} is ${c.dayAfter}`, () => {
      assert.equal(localDay(c.before, c.zone), c.dayBefore);
      assert.equal(localDay(c.after, c.zone), c.dayAfter);
    });
  }

  test('the hours around a DST switch stay on the same local day', () => {
    // New York: 01:59:59 EST, 03:00:00 EDT; then 01:30 EDT and 01:30 EST.
    for (const iso of ['2021-03-14T06:59:59Z', '2021-03-14T07:00:00Z']) assert.equal(localDay(iso, 'America/New_York'), '2021-03-14', iso);
    for (const iso of ['2021-11-07T05:30:00Z', '2021-11-07T06:30:00Z']) assert.equal(localDay(iso, 'America/New_York'), '2021-11-07', iso);
    // Berlin: 01:59:59 CET, 03:00:00 CEST; then 02:30 CEST and 02:30 CET.
    for (const iso of ['2021-03-28T00:59:59Z', '2021-03-28T01:00:00Z']) assert.equal(localDay(iso, 'Europe/Berlin'), '2021-03-28', iso);
    for (const iso of ['2021-10-31T00:30:00Z', '2021-10-31T01:30:00Z']) assert.equal(localDay(iso, 'Europe/Berlin'), '2021-10-31', iso);
  });

  test('one instant can fall on three different days around the world', () => {
    const iso = '2021-06-15T10:30:00Z';
    assert.equal(localDay(iso, 'Pacific/Pago_Pago'), '2021-06-14'); // -11:00, 23:30
    assert.equal(localDay(iso, 'UTC'), '2021-06-15');
    assert.equal(localDay(iso, 'Pacific/Kiritimati'), '2021-06-16'); // +14:00, 00:30
  });

  test('follows the zone history: Kathmandu was +05:30 before 1986', () => {
    // 18:20Z is 23:50 at +05:30 but 00:05 the next day at +05:45.
    assert.equal(localDay('1980-01-01T18:20:00Z', 'Asia/Kathmandu'), '1980-01-01');
    assert.equal(localDay('2021-01-01T18:20:00Z', 'Asia/Kathmandu'), '2021-01-02');
  });

  test('instants around 1970 (and before) are placed in the local day', () => {
    assert.equal(localDay('1970-01-01T00:00:00Z', 'UTC'), '1970-01-01');
    assert.equal(localDay('1970-01-01T00:00:00Z', 'Asia/Kolkata'), '1970-01-01');
    assert.equal(localDay('1970-01-01T00:00:00Z', 'America/Los_Angeles'), '1969-12-31');
    assert.equal(dayOf(-1, 'UTC'), -1);
  });

  test('the first and last instants of the YYYY-MM-DD years', () => {
    assert.equal(localDay('0001-01-01T00:00:00Z', 'UTC'), '0001-01-01');
    assert.equal(localDay('9999-12-31T23:59:59Z', 'UTC'), '9999-12-31');
    assert.equal(localDay('9999-12-31T23:59:59Z', 'America/Los_Angeles'), '9999-12-31');
  });

  // Newfoundland switched its clocks at 00:01 local time until 2011, so the 2010 fall-back
  // happened at 02:31Z, not on a UTC quarter-hour: 00:00:59 NDT on the 7th was followed by
  // 23:01 NST on the 6th.
  test('America/St_Johns, 2010-11-07: a switch at 00:01 local time goes back to the previous day', () => {
    assert.equal(localDay('2010-11-07T02:30:30Z', 'America/St_Johns'), '2010-11-07');
    assert.equal(localDay('2010-11-07T02:31:00Z', 'America/St_Johns'), '2010-11-06');
    assert.equal(localDay('2010-11-07T02:40:00Z', 'America/St_Johns'), '2010-11-06');
    assert.equal(localDay('2010-11-07T03:29:59Z', 'America/St_Johns'), '2010-11-06');
    assert.equal(localDay('2010-11-07T03:30:00Z', 'America/St_Johns'), '2010-11-07');
  });

  test('agrees minute by minute with Intl around DST switches in several zones', () => {
    const reference = (seconds: number, timeZone: string): string =>
      new Date(seconds * 1000).toLocaleDateString('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    const windows: Array<[string, string]> = [
      ['America/New_York', '2021-03-14T00:00:00Z'],
      ['America/New_York', '2021-11-07T00:00:00Z'],
      ['Europe/Berlin', '2021-03-27T18:00:00Z'],
      ['Europe/Berlin', '2021-10-30T18:00:00Z'],
      ['Australia/Lord_Howe', '2021-04-03T12:00:00Z'], // 30-minute DST shift
      ['America/Sao_Paulo', '2018-02-17T00:00:00Z'], // fell back at local midnight
      ['America/St_Johns', '2010-11-07T00:00:00Z'],
    ];
    for (const [zone, startIso] of windows) {
      const start = at(startIso);
      for (let s = start; s < start + 12 * 3600; s += 60) {
        assert.equal(formatDay(dayOf(s, zone)), reference(s, zone), `${zone} at ${new Date(s * 1000).toISOString()}`);
      }
    }
  });
});

describe('todayIn', () => {
  test('is the date of `now` in the given zone', () => {
    const now = new Date('2021-06-14T18:30:00Z');
    assert.equal(formatDay(todayIn('UTC', now)), '2021-06-14');
    assert.equal(formatDay(todayIn('Asia/Kolkata', now)), '2021-06-15'); // 00:00
    assert.equal(formatDay(todayIn('Asia/Kathmandu', now)), '2021-06-15'); // 00:15
    assert.equal(formatDay(todayIn('America/Los_Angeles', now)), '2021-06-14'); // 11:30
  });

  test('the last millisecond before local midnight is still the previous day', () => {
    assert.equal(formatDay(todayIn('Asia/Kolkata', new Date('2021-06-14T18:29:59.999Z'))), '2021-06-14');
    assert.equal(formatDay(todayIn('UTC', new Date('2021-06-14T23:59:59.999Z'))), '2021-06-14');
    assert.equal(formatDay(todayIn('America/New_York', new Date('2021-11-08T04:59:59.999Z'))), '2021-11-07');
  });
});

describe('isValidTimeZone', () => {
  test('accepts IANA zone names', () => {
    for (const zone of ['UTC', 'Asia/Kolkata', 'Asia/Kathmandu', 'America/Los_Angeles', 'America/New_York', 'Europe/Berlin', 'America/St_Johns', 'Etc/GMT+5']) {
      assert.equal(isValidTimeZone(zone), true, zone);
    }
  });

  test('rejects names that are not IANA zones', () => {
    for (const zone of ['', 'Not/AZone', 'Mars/Olympus_Mons', 'Asia/Kolkata ', ' UTC', '+05:30', 'Z', 'x'.repeat(65)]) {
      assert.equal(isValidTimeZone(zone), false, JSON.stringify(zone));
    }
  });
});
