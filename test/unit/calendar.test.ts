import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { clockStart, deadline, reminderAt } from '#shared/calendar/deadline.ts';
import { bankHolidays } from '#shared/calendar/holidays.generated.ts';
import { CalendarRangeError, createWorkingCalendar } from '#shared/calendar/working-calendar.ts';
import { addCalendarDays, endOfLondonDay, toLondon } from '#shared/time/london.ts';

const englandAndWales = createWorkingCalendar('england-and-wales');
const scotland = createWorkingCalendar('scotland');
const northernIreland = createWorkingCalendar('northern-ireland');

function holidaysIn(region: string, year: number): string[] {
  return Object.keys(bankHolidays(region))
    .filter((date) => date.startsWith(`${year}-`))
    .map((date) => date.slice(5));
}

describe('bank holiday table', () => {
  it.each([
    ['england-and-wales', 2024, ['01-01', '03-29', '04-01', '05-06', '05-27', '08-26', '12-25', '12-26']],
    ['england-and-wales', 2026, ['01-01', '04-03', '04-06', '05-04', '05-25', '08-31', '12-25', '12-28']],
    ['england-and-wales', 2027, ['01-01', '03-26', '03-29', '05-03', '05-31', '08-30', '12-27', '12-28']],
    ['scotland', 2024, ['01-01', '01-02', '03-29', '05-06', '05-27', '08-05', '12-02', '12-25', '12-26']],
    ['scotland', 2026, ['01-01', '01-02', '04-03', '05-04', '05-25', '08-03', '11-30', '12-25', '12-28']],
    ['scotland', 2027, ['01-01', '01-04', '03-26', '05-03', '05-31', '08-02', '11-30', '12-27', '12-28']],
    [
      'northern-ireland',
      2025,
      ['01-01', '03-17', '04-18', '04-21', '05-05', '05-26', '07-14', '08-25', '12-25', '12-26'],
    ],
    [
      'northern-ireland',
      2026,
      ['01-01', '03-17', '04-03', '04-06', '05-04', '05-25', '07-13', '08-31', '12-25', '12-28'],
    ],
  ] as const)('%s %i matches the gov.uk list', (region, year, expected) => {
    expect(holidaysIn(region, year)).toEqual(expected);
  });

  it('has the one-off days of 2020, 2022 and 2023 in every region', () => {
    for (const calendar of [englandAndWales, scotland, northernIreland]) {
      expect(calendar.nonWorkingReason('2020-05-08')).toMatch(/VE day/);
      expect(calendar.nonWorkingReason('2020-05-04')).toBeUndefined(); // the early May holiday moved to VE day
      expect(calendar.nonWorkingReason('2022-06-03')).toMatch(/Jubilee/);
      expect(calendar.nonWorkingReason('2022-06-02')).toMatch(/Spring bank holiday/);
      expect(calendar.nonWorkingReason('2022-05-30')).toBeUndefined(); // the spring holiday moved to 2 June
      expect(calendar.nonWorkingReason('2022-09-19')).toMatch(/Funeral/);
      expect(calendar.nonWorkingReason('2023-05-08')).toMatch(/Coronation/);
    }
  });

  it('has substitute days where a holiday falls at a weekend', () => {
    expect(englandAndWales.nonWorkingReason('2022-12-27')).toMatch(/substitute/);
    expect(englandAndWales.nonWorkingReason('2021-12-28')).toMatch(/substitute/);
    expect(scotland.nonWorkingReason('2022-01-04')).toMatch(/substitute/);
    expect(northernIreland.nonWorkingReason('2020-07-13')).toMatch(/substitute/);
  });

  it('keeps regional holidays to their own region', () => {
    expect(scotland.isWorkingDay('2026-08-31')).toBe(true);
    expect(englandAndWales.isWorkingDay('2026-08-03')).toBe(true);
    expect(englandAndWales.isWorkingDay('2026-03-17')).toBe(true);
    expect(northernIreland.isWorkingDay('2026-03-17')).toBe(false);
    expect(englandAndWales.isWorkingDay('2026-11-30')).toBe(true);
    expect(scotland.isWorkingDay('2026-11-30')).toBe(false);
  });

  it('covers 2015 to 2035 and refuses dates outside it rather than guessing', () => {
    expect(englandAndWales.nonWorkingReason('2015-12-28')).toMatch(/Boxing Day/);
    expect(englandAndWales.nonWorkingReason('2035-08-27')).toMatch(/Summer/);
    expect(() => englandAndWales.isWorkingDay('2036-01-02')).toThrow(CalendarRangeError);
    expect(() => englandAndWales.isWorkingDay('2014-12-31')).toThrow(/regenerate/);
  });

  it('unpacks a region on its first use, not while a function loads (part of every cold start)', async () => {
    vi.resetModules();
    const split = vi.spyOn(String.prototype, 'split');
    try {
      const fresh = await import('#shared/calendar/working-calendar.ts');
      const calendar = fresh.createWorkingCalendar('scotland');
      expect(split).not.toHaveBeenCalledWith(' ');
      expect(() => fresh.createWorkingCalendar('wales' as never)).toThrow(/Unknown calendar region "wales"/);
      expect(calendar.nonWorkingReason('2026-11-30')).toBe("bank holiday (Scotland): St Andrew's Day");
      expect(split.mock.calls.filter(([separator]) => (separator as unknown) === ' ')).toHaveLength(1);
      expect(calendar.nonWorkingReason('2026-12-25')).toMatch(/Christmas Day/);
      expect(split.mock.calls.filter(([separator]) => (separator as unknown) === ' ')).toHaveLength(1);
    } finally {
      split.mockRestore();
    }
  });
});

describe('profile additions', () => {
  const calendar = createWorkingCalendar('england-and-wales', {
    closureDays: [{ date: '2026-12-29', reason: 'Christmas shutdown' }],
    extraBankHolidays: [{ date: '2026-06-12', reason: 'Announced one-off bank holiday' }],
  });

  it('skips closure days and announced holidays and says why', () => {
    expect(calendar.nonWorkingReason('2026-12-29')).toBe('office closure: Christmas shutdown');
    expect(calendar.nonWorkingReason('2026-06-12')).toMatch(/Announced one-off/);
    expect(englandAndWales.isWorkingDay('2026-12-29')).toBe(true);
  });
});

describe('deadline', () => {
  it('counts N working days after day 0 and is due at the end of that London day', () => {
    // Monday 2 March 2026, 10:00 GMT
    const due = deadline(englandAndWales, '2026-03-02T10:00:00Z', 5);
    expect(due).toMatchObject({
      startDate: '2026-03-02',
      dueDate: '2026-03-09',
      dueAt: '2026-03-09T23:59:59.999Z',
    });
    expect(due.skipped.map((day) => day.date)).toEqual(['2026-03-07', '2026-03-08']);
  });

  it('is due at 22:59:59.999 UTC when the due date is in British Summer Time', () => {
    const due = deadline(englandAndWales, '2026-06-01T08:00:00Z', 10);
    expect(due.dueDate).toBe('2026-06-15');
    expect(due.dueAt).toBe('2026-06-15T22:59:59.999Z');
  });

  it('crosses the spring and autumn clock changes correctly', () => {
    // Friday 27 March 2026: clocks go forward on Sunday 29 March.
    const spring = deadline(englandAndWales, '2026-03-27T12:00:00Z', 1);
    expect(spring).toMatchObject({ dueDate: '2026-03-30', dueAt: '2026-03-30T22:59:59.999Z' });
    // Friday 23 October 2026 (BST): clocks go back on Sunday 25 October.
    const autumn = deadline(englandAndWales, '2026-10-23T12:00:00+01:00', 1);
    expect(autumn).toMatchObject({ dueDate: '2026-10-26', dueAt: '2026-10-26T23:59:59.999Z' });
  });

  it('uses the London date, not the UTC date, of the event', () => {
    // 23:30 UTC on Tuesday 30 June 2026 is 00:30 on Wednesday 1 July in London.
    expect(clockStart(englandAndWales, '2026-06-30T23:30:00Z').startDate).toBe('2026-07-01');
    expect(toLondon('2026-06-30T23:30:00Z').date).toBe('2026-07-01');
  });

  it("gives London's date and minute of any instant as the time zone data does, either side of each clock change", () => {
    // Formatted here with Intl directly: toLondon computes the offset from the EU rule since 1996 and asks Intl
    // for it once per UTC hour before that.
    const london = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/London',
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    });
    const expected = (epochMs: number) => {
      const part = Object.fromEntries(london.formatToParts(epochMs).map(({ type, value }) => [type, value]));
      return {
        date: `${part.year}-${part.month}-${part.day}`,
        minuteOfDay: Number(part.hour) * 60 + Number(part.minute),
      };
    };
    // The changes of 2026 and 2027, to the millisecond either side, and instants anywhere from 1972 to 2100.
    const changes = [
      '2026-03-29T01:00:00Z',
      '2026-10-25T01:00:00Z',
      '2027-03-28T01:00:00Z',
      '2027-10-31T01:00:00Z',
    ];
    for (const change of changes.map(Date.parse)) {
      for (const epochMs of [change - 60_001, change - 1, change, change + 59_999, change + 3_600_000]) {
        expect(toLondon(new Date(epochMs))).toEqual(expected(epochMs));
        expect(toLondon(new Date(epochMs).toISOString())).toEqual(expected(epochMs));
      }
    }
    // Every clock change from 1990 (under the British rules) to 2100, found by the hour, a millisecond either side.
    for (let year = 1990; year <= 2100; year++) {
      for (const month of [2, 9]) {
        for (let hour = Date.UTC(year, month, 20); hour < Date.UTC(year, month + 1, 1); hour += 3_600_000) {
          if (expected(hour - 1).minuteOfDay === (expected(hour).minuteOfDay + 1439) % 1440) continue;
          for (const epochMs of [hour - 1, hour])
            expect(toLondon(new Date(epochMs))).toEqual(expected(epochMs));
        }
      }
    }
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1972, 0, 1), max: Date.UTC(2100, 0, 1) }), (epochMs) => {
        expect(toLondon(new Date(epochMs))).toEqual(expected(epochMs));
      }),
      { numRuns: 2000 },
    );
  });

  it('loads no time zone data for London times since 1996 (constructing the formatter costs every cold start about 12 ms)', async () => {
    vi.resetModules();
    const original = Intl.DateTimeFormat;
    let constructed = 0;
    Intl.DateTimeFormat = class extends original {
      constructor(...args: ConstructorParameters<typeof Intl.DateTimeFormat>) {
        super(...args);
        constructed++;
      }
    } as typeof Intl.DateTimeFormat;
    try {
      const london = await import('#shared/time/london.ts');
      expect(london.toLondon('2026-07-01T10:00:00Z')).toEqual({ date: '2026-07-01', minuteOfDay: 11 * 60 });
      expect(london.endOfLondonDay('2026-03-29')).toBe('2026-03-29T22:59:59.999Z');
      expect(constructed).toBe(0);
      // An instant under the older British rules still asks the time zone data (BST began on 18 March 1990).
      expect(london.toLondon('1990-03-25T12:00:00Z').minuteOfDay).toBe(13 * 60);
      expect(constructed).toBe(1);
    } finally {
      Intl.DateTimeFormat = original;
    }
  });

  it('treats a complaint received at the weekend as received on the next working day', () => {
    const due = deadline(englandAndWales, '2026-03-07T11:00:00Z', 5);
    expect(due.startDate).toBe('2026-03-09');
    expect(due.dueDate).toBe('2026-03-16');
    expect(due.skipped[0]).toEqual({
      date: '2026-03-07',
      reason: 'received on a non-working day (Saturday)',
    });
  });

  it('treats a complaint received on a bank holiday as received on the next working day', () => {
    // Good Friday 3 April 2026, then Easter Monday 6 April.
    const due = deadline(englandAndWales, '2026-04-03T09:00:00+01:00', 5);
    expect(due.startDate).toBe('2026-04-07');
    expect(due.dueDate).toBe('2026-04-14');
    expect(due.skipped.map((day) => day.date)).toEqual([
      '2026-04-03',
      '2026-04-04',
      '2026-04-05',
      '2026-04-06',
      '2026-04-11',
      '2026-04-12',
    ]);
  });

  it('applies the cut-off: at or after it counts from the next working day, before it from today', () => {
    expect(deadline(englandAndWales, '2026-03-02T16:59:00Z', 5, '17:00').startDate).toBe('2026-03-02');
    expect(deadline(englandAndWales, '2026-03-02T17:00:00Z', 5, '17:00').startDate).toBe('2026-03-03');
    // 16:30 BST is 15:30 UTC: the cut-off is London wall-clock time.
    expect(deadline(englandAndWales, '2026-07-03T15:30:00Z', 5, '16:30').startDate).toBe('2026-07-06');
    expect(deadline(englandAndWales, '2026-07-03T15:29:00Z', 5, '16:30').startDate).toBe('2026-07-03');
  });

  it('refuses instants without an offset, and negative or fractional day counts', () => {
    expect(() => deadline(englandAndWales, '2026-03-02T10:00:00', 5)).toThrow(/with an offset/);
    expect(() => deadline(englandAndWales, '2026-03-02T10:00:00Z', -1)).toThrow(/whole number/);
    expect(() => deadline(englandAndWales, '2026-03-02T10:00:00Z', 2.5)).toThrow(/whole number/);
  });

  it('puts reminders at 09:00 London time N working days before the due date', () => {
    expect(reminderAt(englandAndWales, '2026-03-09', 2)).toBe('2026-03-05T09:00:00.000Z');
    expect(reminderAt(englandAndWales, '2026-06-15', 2)).toBe('2026-06-11T08:00:00.000Z');
  });

  it('computes end of day across both offsets', () => {
    expect(endOfLondonDay('2026-01-15')).toBe('2026-01-15T23:59:59.999Z');
    expect(endOfLondonDay('2026-07-15')).toBe('2026-07-15T22:59:59.999Z');
    expect(endOfLondonDay('2026-03-29')).toBe('2026-03-29T22:59:59.999Z');
    expect(endOfLondonDay('2026-10-25')).toBe('2026-10-25T23:59:59.999Z');
  });
});

describe('working-day arithmetic (properties)', () => {
  const regions = fc.constantFrom(englandAndWales, scotland, northernIreland);
  // Any date from 2015-01-01 to 2034-12-31 (leaves room to add 60 working days within the table).
  const dates = fc.integer({ min: 0, max: 7304 }).map((offset) => addCalendarDays('2015-01-01', offset));

  it('always lands on a working day', () => {
    fc.assert(
      fc.property(regions, dates, fc.integer({ min: 1, max: 60 }), (calendar, date, n) => {
        return calendar.isWorkingDay(calendar.addWorkingDays(date, n).date);
      }),
    );
  });

  it('workingDaysBetween(d, addWorkingDays(d, n)) === n', () => {
    fc.assert(
      fc.property(regions, dates, fc.integer({ min: 0, max: 60 }), (calendar, date, n) => {
        return calendar.workingDaysBetween(date, calendar.addWorkingDays(date, n).date) === n;
      }),
    );
  });

  it('deadlines from any instant are due on a working day, at the end of it in London', () => {
    const instants = fc
      .integer({ min: Date.UTC(2015, 0, 1), max: Date.UTC(2034, 11, 1) })
      .map((ms) => new Date(ms).toISOString());
    fc.assert(
      fc.property(regions, instants, fc.integer({ min: 1, max: 30 }), (calendar, instant, n) => {
        const due = deadline(calendar, instant, n, '16:00');
        const end = toLondon(due.dueAt);
        return (
          calendar.isWorkingDay(due.dueDate) && end.date === due.dueDate && end.minuteOfDay === 23 * 60 + 59
        );
      }),
    );
  });

  it('skips exactly the non-working days between day 0 and the due date', () => {
    fc.assert(
      fc.property(regions, dates, fc.integer({ min: 1, max: 30 }), (calendar, date, n) => {
        const { date: due, skipped } = calendar.addWorkingDays(date, n);
        const span = calendar.workingDaysBetween(date, due) + skipped.length;
        let days = 0;
        for (let d = date; d < due; d = addCalendarDays(d, 1)) days++;
        return span === days;
      }),
    );
  });
});
