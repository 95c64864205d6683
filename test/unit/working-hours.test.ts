import {
  isOpen,
  nextChange,
  workingHoursSchema,
  type WorkingHours,
  type WorkingHoursInput,
} from '../../domain/working-hours';

const schedule = (input: WorkingHoursInput): WorkingHours => workingHoursSchema.parse(input);

const officeDay = [
  { start: '09:00', end: '12:00' },
  { start: '13:30', end: '18:00' },
];

/** Asia/Shanghai is UTC+8 all year: local = UTC + 8h. */
const desk = schedule({
  timeZone: 'Asia/Shanghai',
  weekly: {
    mon: officeDay,
    tue: officeDay,
    wed: [
      { start: '09:00', end: '12:00' },
      { start: '13:30', end: '24:00' },
    ],
    thu: officeDay,
    fri: [...officeDay, { start: '22:00', end: '02:00' }],
    sun: [{ start: '21:00', end: '01:00' }],
  },
  special: [
    // Labour Day, a Friday: a holiday, night shift included.
    { date: '2026-05-01', closed: true },
    // A make-up working Saturday.
    { date: '2026-05-09', ranges: [{ start: '09:00', end: '18:00' }] },
    // A closed Saturday right after a regular Friday night shift.
    { date: '2026-05-16', closed: true },
    // A short Friday: its ranges replace the weekly ones, night shift included.
    { date: '2026-05-22', ranges: [{ start: '09:00', end: '17:00' }] },
  ],
});

const nineToFive = { mon: [{ start: '09:00', end: '17:00' }] };
const weekdaysNineToFive = {
  ...nineToFive,
  tue: nineToFive.mon,
  wed: nineToFive.mon,
  thu: nineToFive.mon,
  fri: nineToFive.mon,
};

/** New York: EST (UTC-5) until 2026-03-08 02:00, EDT (UTC-4) until 2026-11-01 02:00. */
const newYork = schedule({
  timeZone: 'America/New_York',
  weekly: weekdaysNineToFive,
  special: [
    // Spring forward: 02:00–03:00 does not exist that night.
    { date: '2026-03-08', ranges: [{ start: '01:00', end: '03:00' }] },
    // Fall back: 01:00–02:00 happens twice that night.
    { date: '2026-11-01', ranges: [{ start: '01:00', end: '02:00' }] },
  ],
});

// One weekday timetable in three zones; London is GMT until 2026-03-29
// 01:00 UTC and from 2026-10-25 01:00 UTC, BST (UTC+1) in between.
const office = (timeZone: string) => schedule({ timeZone, weekly: weekdaysNineToFive });
const shanghai = office('Asia/Shanghai');
const newYorkOffice = office('America/New_York');
const london = office('Europe/London');

describe('working hours', () => {
  describe('isOpen', () => {
    // Each description gives the Shanghai wall-clock time (UTC+8).
    it.each<[string, string, boolean]>([
      ['Monday 08:59, before opening', '2026-05-11T00:59:00Z', false],
      ['Monday 09:00, the start is inclusive', '2026-05-11T01:00:00Z', true],
      ['Monday 11:59, the last minute before lunch', '2026-05-11T03:59:59Z', true],
      ['Monday 12:00, the end is exclusive: lunch break', '2026-05-11T04:00:00Z', false],
      ['Monday 13:29, still at lunch', '2026-05-11T05:29:00Z', false],
      ['Monday 13:30, the afternoon range starts', '2026-05-11T05:30:00Z', true],
      ['Monday 18:00, closed for the night', '2026-05-11T10:00:00Z', false],
      ['Wednesday 23:59, a range ending at 24:00', '2026-05-13T15:59:00Z', true],
      ['Thursday 00:00, 24:00 does not spill into the next day', '2026-05-13T16:00:00Z', false],
      ['Friday 23:00, the night shift', '2026-05-15T15:00:00Z', true],
      [
        'Saturday 01:59, the night shift tail counts even on a closed date',
        '2026-05-15T17:59:00Z',
        true,
      ],
      ['Saturday 02:00, the night shift is over', '2026-05-15T18:00:00Z', false],
      ['Saturday 12:00, no weekly hours on Saturday', '2026-05-16T04:00:00Z', false],
      ['Sunday 21:00, the Sunday night shift', '2026-05-17T13:00:00Z', true],
      ['Monday 00:30, Sunday night wraps into Monday', '2026-05-17T16:30:00Z', true],
      ['Monday 01:00, the Sunday night shift is over', '2026-05-17T17:00:00Z', false],
      ['Friday 10:00 on Labour Day, a holiday', '2026-05-01T02:00:00Z', false],
      ['Friday 23:00 on Labour Day, no night shift', '2026-05-01T15:00:00Z', false],
      ['Saturday 01:00 after Labour Day, no night shift tail', '2026-05-01T17:00:00Z', false],
      ['Saturday 08:59 on the make-up working day', '2026-05-09T00:59:00Z', false],
      ['Saturday 09:00 on the make-up working day', '2026-05-09T01:00:00Z', true],
      ['Saturday 17:59 on the make-up working day', '2026-05-09T09:59:00Z', true],
      ['Saturday 18:00 on the make-up working day', '2026-05-09T10:00:00Z', false],
      ['Friday 16:59 on the short Friday', '2026-05-22T08:59:00Z', true],
      ['Friday 17:00 on the short Friday, its own end', '2026-05-22T09:00:00Z', false],
      ['Friday 23:00 on the short Friday, its night shift replaced', '2026-05-22T15:00:00Z', false],
      ['Saturday 01:00 after the short Friday, no tail either', '2026-05-22T17:00:00Z', false],
    ])('when it is %s in Shanghai (%s), then open is %s', (_name, instant, open) => {
      expect(isOpen(desk, new Date(instant))).toBe(open);
    });

    // Each description gives the New York wall-clock time and its offset.
    it.each<[string, string, boolean]>([
      ['Sunday 00:59 EST, before the spring-forward range', '2026-03-08T05:59:00Z', false],
      ['Sunday 01:00 EST, the range starts', '2026-03-08T06:00:00Z', true],
      ['Sunday 01:59 EST, just before the clocks jump', '2026-03-08T06:59:00Z', true],
      ['Sunday 03:00 EDT, the jump lands on the range end', '2026-03-08T07:00:00Z', false],
      ['Monday 08:59 EDT after spring forward', '2026-03-09T12:59:00Z', false],
      ['Monday 09:00 EDT after spring forward', '2026-03-09T13:00:00Z', true],
      ['Sunday 00:59 EDT, before the fall-back range', '2026-11-01T04:59:00Z', false],
      ['Sunday 01:30 EDT, the first 01:30', '2026-11-01T05:30:00Z', true],
      ['Sunday 01:30 EST, the repeated 01:30', '2026-11-01T06:30:00Z', true],
      ['Sunday 02:00 EST, the range is over', '2026-11-01T07:00:00Z', false],
      ['Monday 08:30 EST after fall back', '2026-11-02T13:30:00Z', false],
      ['Monday 09:00 EST after fall back', '2026-11-02T14:00:00Z', true],
    ])('when it is %s in New York (%s), then open is %s', (_name, instant, open) => {
      expect(isOpen(newYork, new Date(instant))).toBe(open);
    });

    it.each<[string, string, boolean, boolean, boolean]>([
      // Shanghai Fri 22:00, New York Fri 09:00 EST, London Fri 14:00 GMT
      ['Friday before spring forward', '2026-03-06T14:00:00Z', false, true, true],
      // Shanghai Mon 09:00, New York Sun 20:00 EST, London Mon 01:00 GMT
      ['Monday morning in Shanghai', '2026-03-09T01:00:00Z', true, false, false],
      // Shanghai Mon 21:00, New York Mon 09:00 EDT, London Mon 13:00 GMT
      ['Monday after New York sprang forward', '2026-03-09T13:00:00Z', false, true, true],
      // Shanghai Mon 20:30, New York Mon 08:30 EDT, London Mon 12:30 GMT
      ['Monday 12:30 UTC, New York not yet open', '2026-03-09T12:30:00Z', false, false, true],
      // Shanghai Fri 16:30, New York Fri 04:30 EDT, London Fri 08:30 GMT
      ['Friday before London springs forward', '2026-03-27T08:30:00Z', true, false, false],
      // Shanghai Mon 16:00, New York Mon 04:00 EDT, London Mon 09:00 BST
      ['Monday after London sprang forward', '2026-03-30T08:00:00Z', true, false, true],
      // Shanghai Mon 00:30, New York Sun 12:30 EDT, London Sun 17:30 BST
      ['Sunday afternoon UTC', '2026-03-29T16:30:00Z', false, false, false],
      // Shanghai Fri 16:30, New York Fri 04:30 EDT, London Fri 09:30 BST
      ['Friday before London falls back', '2026-10-23T08:30:00Z', true, false, true],
      // Shanghai Mon 16:30, New York Mon 04:30 EDT, London Mon 08:30 GMT
      ['Monday after London fell back', '2026-10-26T08:30:00Z', true, false, false],
      // Shanghai Mon 21:30, New York Mon 08:30 EST, London Mon 13:30 GMT
      ['Monday after New York fell back', '2026-11-02T13:30:00Z', false, false, true],
    ])(
      'when it is %s (%s), then Shanghai %s, New York %s, London %s',
      (_name, instant, inShanghai, inNewYork, inLondon) => {
        const when = new Date(instant);
        expect([isOpen(shanghai, when), isOpen(newYorkOffice, when), isOpen(london, when)]).toEqual(
          [inShanghai, inNewYork, inLondon],
        );
      },
    );

    it('when the same instant is judged in two zones, then the answers differ', () => {
      // Shanghai Mon 21:30 (closed); New York Mon 09:30 EDT (open)
      const when = new Date('2026-03-09T13:30:00Z');
      expect(isOpen(shanghai, when)).toBe(false);
      expect(isOpen(newYorkOffice, when)).toBe(true);
    });
  });

  describe('nextChange', () => {
    const allDay = [{ start: '00:00', end: '24:00' }];
    const alwaysOpen = schedule({
      timeZone: 'Europe/London',
      weekly: {
        mon: allDay,
        tue: allDay,
        wed: allDay,
        thu: allDay,
        fri: allDay,
        sat: allDay,
        sun: allDay,
      },
    });
    const neverOpen = schedule({ timeZone: 'Europe/London', weekly: {} });
    const onlyOn = (date: string) =>
      schedule({
        timeZone: 'Asia/Shanghai',
        weekly: {},
        special: [{ date, ranges: [{ start: '10:00', end: '11:00' }] }],
      });
    const newYorkOn = (date: string, start: string, end: string) =>
      schedule({
        timeZone: 'America/New_York',
        weekly: {},
        special: [{ date, ranges: [{ start, end }] }],
      });

    it.each<[string, WorkingHours, string, string | undefined]>([
      // Mon 10:00 → Mon 12:00 Shanghai
      [
        'open in the morning, it closes for lunch',
        desk,
        '2026-05-11T02:00:00Z',
        '2026-05-11T04:00:00Z',
      ],
      // Mon 12:00 → Mon 13:30 Shanghai
      [
        'exactly at the lunch break, it reopens',
        desk,
        '2026-05-11T04:00:00Z',
        '2026-05-11T05:30:00Z',
      ],
      // Mon 12:00:30 → Mon 13:30 Shanghai
      [
        'mid-minute, the answer is still on the minute',
        desk,
        '2026-05-11T04:00:30Z',
        '2026-05-11T05:30:00Z',
      ],
      // Fri 23:00 → Sat 02:00 Shanghai, the night shift tail on a closed date
      [
        'on the night shift, it ends the next day',
        desk,
        '2026-05-15T15:00:00Z',
        '2026-05-15T18:00:00Z',
      ],
      // Thu 18:00 → (Labour Day, Saturday closed) → Sun 21:00 Shanghai
      ['before a holiday weekend', desk, '2026-04-30T10:00:00Z', '2026-05-03T13:00:00Z'],
      // Fri 17:00 EST → Mon 09:00 EDT, across the weekend and spring forward
      [
        'across a weekend and spring forward',
        newYorkOffice,
        '2026-03-06T22:00:00Z',
        '2026-03-09T13:00:00Z',
      ],
      // Fri 17:00 EDT → Sun 01:00 EDT, the special fall-back range
      ['before the fall-back night', newYork, '2026-10-30T21:00:00Z', '2026-11-01T05:00:00Z'],
      // Sun 01:00 EDT → Sun 02:00 EST: open through both 01:xx hours
      ['open through the repeated hour', newYork, '2026-11-01T05:00:00Z', '2026-11-01T07:00:00Z'],
      // Sun 02:00 EST → Mon 09:00 EST
      ['after the fall-back night', newYork, '2026-11-01T07:00:00Z', '2026-11-02T14:00:00Z'],
      // Sun 01:00 EST → 03:00 EDT: 02:30 does not exist, the next existing time does
      [
        'a range starting inside the spring-forward gap',
        newYorkOn('2026-03-08', '02:30', '05:00'),
        '2026-03-08T06:00:00Z',
        '2026-03-08T07:00:00Z',
      ],
      // Sun 01:45 EDT → 01:00 EST, the clock falls back before the range start
      [
        'a range starting in the repeated hour, at the fall back',
        newYorkOn('2026-11-01', '01:30', '05:00'),
        '2026-11-01T05:45:00Z',
        '2026-11-01T06:00:00Z',
      ],
      // Sun 01:00 EST → 01:30 EST, the range starts a second time
      [
        'a range starting in the repeated hour, after the fall back',
        newYorkOn('2026-11-01', '01:30', '05:00'),
        '2026-11-01T06:00:00Z',
        '2026-11-01T06:30:00Z',
      ],
      // Fri 2026-05-01 12:00 → Mon 2026-05-11 10:00 Shanghai, 10 days ahead
      [
        'an opening 10 days ahead',
        onlyOn('2026-05-11'),
        '2026-05-01T04:00:00Z',
        '2026-05-11T02:00:00Z',
      ],
      // Fri 2026-05-01 12:00 → 2026-05-21 10:00 Shanghai is past 14 days
      ['an opening 20 days ahead', onlyOn('2026-05-21'), '2026-05-01T04:00:00Z', undefined],
      ['always open', alwaysOpen, '2026-03-27T12:00:00Z', undefined],
      ['never open', neverOpen, '2026-03-27T12:00:00Z', undefined],
    ])('when %s (from %s), then the next change is at %s', (_name, hours, from, expected) => {
      expect(nextChange(hours, new Date(from))).toEqual(expected && new Date(expected));
    });

    /** Reference answer: try every minute. */
    const scan = (hours: WorkingHours, from: Date, days: number): Date | undefined => {
      const open = isOpen(hours, from);
      const first = Math.floor(from.getTime() / 60_000) + 1;
      for (let minute = first; minute <= first + days * 24 * 60; minute++) {
        const when = new Date(minute * 60_000);
        if (isOpen(hours, when) !== open) return when;
      }
      return undefined;
    };

    it.each<[string, WorkingHours, string]>([
      ['Shanghai, Thursday before Labour Day', desk, '2026-04-30T09:59:30Z'],
      ['Shanghai, the night shift before a closed Saturday', desk, '2026-05-15T14:00:00Z'],
      ['New York, spring forward', newYork, '2026-03-08T05:00:00Z'],
      ['New York, fall back', newYork, '2026-11-01T04:00:00Z'],
      [
        'New York, fall back with a range starting at 01:30',
        newYorkOn('2026-11-01', '01:30', '05:00'),
        '2026-11-01T05:31:00Z',
      ],
    ])(
      'when stepping through %s, then each change matches a minute-by-minute scan',
      (_name, hours, from) => {
        let when: Date | undefined = new Date(from);
        for (let step = 0; step < 6 && when; step++) {
          const next = nextChange(hours, when);
          expect(next).toEqual(scan(hours, when, 4));
          when = next;
        }
      },
    );

    it('when looking two weeks ahead, then it does not scan minute by minute', () => {
      // A minute-by-minute scan of 14 days takes hundreds of ms; this is a
      // guard against that, not a benchmark.
      const from = new Date('2026-03-06T22:00:00Z');
      nextChange(newYorkOffice, from);
      const started = performance.now();
      for (let i = 0; i < 20; i++) nextChange(neverOpen, from);
      expect((performance.now() - started) / 20).toBeLessThan(20);
    });
  });

  describe('schema', () => {
    const valid: WorkingHoursInput = { timeZone: 'Asia/Shanghai', weekly: nineToFive };

    it('when special dates are left out, then there are none', () => {
      expect(schedule(valid).special).toEqual([]);
    });

    it.each<[string, WorkingHoursInput, string, string]>([
      ['an unknown time zone', { ...valid, timeZone: 'Mars/Olympus' }, 'timeZone', 'Mars/Olympus'],
      [
        'a start without a leading zero',
        { ...valid, weekly: { mon: [{ start: '9:00', end: '17:00' }] } },
        'weekly.mon.0.start',
        'HH:MM',
      ],
      [
        'a start at 24:00',
        { ...valid, weekly: { tue: [{ start: '24:00', end: '02:00' }] } },
        'weekly.tue.0.start',
        'HH:MM',
      ],
      [
        'an end past 24:00',
        { ...valid, weekly: { wed: [{ start: '09:00', end: '24:30' }] } },
        'weekly.wed.0.end',
        'HH:MM',
      ],
      [
        'overlapping ranges',
        {
          ...valid,
          weekly: {
            mon: [
              { start: '09:00', end: '12:00' },
              { start: '11:00', end: '13:00' },
            ],
          },
        },
        'weekly.mon.1',
        'mon',
      ],
      [
        'a range inside an overnight range',
        {
          ...valid,
          weekly: {
            fri: [
              { start: '22:00', end: '02:00' },
              { start: '23:00', end: '23:30' },
            ],
          },
        },
        'weekly.fri.1',
        'fri',
      ],
      [
        'overlapping ranges on a special date',
        {
          ...valid,
          special: [
            {
              date: '2026-05-09',
              ranges: [
                { start: '09:00', end: '18:00' },
                { start: '17:00', end: '20:00' },
              ],
            },
          ],
        },
        'special.0.ranges.1',
        '2026-05-09',
      ],
      [
        'a duplicate special date',
        {
          ...valid,
          special: [
            { date: '2026-05-01', closed: true },
            { date: '2026-05-01', ranges: [{ start: '10:00', end: '12:00' }] },
          ],
        },
        'special.1.date',
        '2026-05-01',
      ],
      [
        'a date that is not in the calendar',
        { ...valid, special: [{ date: '2026-02-30', closed: true }] },
        'special.0.date',
        'YYYY-MM-DD',
      ],
      [
        'more than six ranges a day',
        {
          ...valid,
          weekly: {
            sat: ['00', '02', '04', '06', '08', '10', '12'].map((h) => ({
              start: `${h}:00`,
              end: `${h}:30`,
            })),
          },
        },
        'weekly.sat',
        '6',
      ],
    ])(
      'when a schedule has %s, then validation names the bad field',
      (_name, input, path, text) => {
        const result = workingHoursSchema.safeParse(input);
        expect(result.success).toBe(false);
        const issue = result.error?.issues.find((i) => i.path.join('.') === path);
        expect(issue?.message).toContain(text);
      },
    );

    it.each<[string, unknown, string, string]>([
      ['an unknown weekday key', { ...valid, weekly: { monday: [] } }, 'weekly', 'monday'],
      ['an unknown top-level key', { ...valid, holidays: [] }, '', 'holidays'],
      [
        'an unknown key in a range',
        { ...valid, weekly: { mon: [{ start: '09:00', end: '17:00', note: 'x' }] } },
        'weekly.mon.0',
        'note',
      ],
    ])('when a schedule has %s, then validation names the key', (_name, input, path, key) => {
      const result = workingHoursSchema.safeParse(input);
      expect(result.success).toBe(false);
      const issue = result.error?.issues.find((i) => i.path.join('.') === path);
      expect(issue?.message).toContain(key);
    });
  });
});
