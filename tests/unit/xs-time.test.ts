import { addXsDuration, compareXsDateTime, compareXsDuration, parseXsDateTime, parseXsDuration, type XsDateTime } from '../../src/cpix/xs-time.js';

const dt = (text: string): XsDateTime => {
  const value = parseXsDateTime(text);
  if (!value) throw new Error(`not an xs:dateTime: ${text}`);
  return value;
};
const dur = (text: string) => {
  const value = parseXsDuration(text);
  if (!value) throw new Error(`not an xs:duration: ${text}`);
  return value;
};
/** Seconds since 1970 of a dateTime with a time zone, through the platform's own ISO reader. */
const EPOCH = dt('1970-01-01T00:00:00Z').seconds;
const unix = (text: string) => dt(text).seconds - EPOCH;

describe('xs:dateTime reader', () => {
  it.each([
    '2026-01-01T00:00:00Z',
    '2026-01-01T00:00:06Z',
    '2026-01-01T00:00:06.5Z',
    '2026-01-01T00:00:06.123456789012Z',
    '2026-01-01T01:00:00+01:00',
    '2025-12-31T19:00:00-05:00',
    '2026-01-01T00:00:00+14:00',
    '2026-01-01T00:00:00-14:00',
    '2026-01-01T00:00:00',
    '2024-02-29T12:00:00Z',
    '2026-01-01T24:00:00Z',
    '12026-01-01T00:00:00Z',
    '-0044-03-15T12:00:00Z',
  ])('reads %p', (text) => expect(parseXsDateTime(text)).toBeDefined());

  it.each([
    '2026-01-01',
    '2026-01-01T00:00Z',
    '2026-01-01 00:00:00Z',
    '2026-1-01T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-02-29T00:00:00Z',
    '2100-02-29T00:00:00Z',
    '2026-04-31T00:00:00Z',
    '2026-01-01T25:00:00Z',
    '2026-01-01T24:00:01Z',
    '2026-01-01T24:00:00.1Z',
    '2026-01-01T00:60:00Z',
    '2026-01-01T00:00:60Z',
    '2026-01-01T00:00:00.Z',
    '2026-01-01T00:00:00+15:00',
    '2026-01-01T00:00:00+14:01',
    '2026-01-01T00:00:00+01:60',
    '2026-01-01T00:00:00+0100',
    '2026-01-01T00:00:00z',
    '02026-01-01T00:00:00Z',
    '-0000-01-01T00:00:00Z',
    '2026-01-01T00:00:00ZZ',
    '',
    'yesterday',
  ])('refuses %p', (text) => expect(parseXsDateTime(text)).toBeUndefined());

  it('places instants on the same time line as Date for every time zone', () => {
    for (const text of [
      '2026-01-01T00:00:06Z',
      '2026-01-01T01:00:00+01:00',
      '2025-12-31T19:00:00-05:00',
      '2000-02-29T23:59:59Z',
      '1999-12-31T23:59:59+14:00',
    ]) {
      expect(unix(text) * 1000).toBe(Date.parse(text));
    }
  });

  it('reads 24:00:00 as the first instant of the next day', () => {
    expect(compareXsDateTime(dt('2026-01-01T24:00:00Z'), dt('2026-01-02T00:00:00Z'))).toBe(0);
  });

  it('orders by instant across time zones and by every fractional digit', () => {
    expect(compareXsDateTime(dt('2026-01-01T01:00:00+01:00'), dt('2026-01-01T00:00:00Z'))).toBe(0);
    expect(compareXsDateTime(dt('2026-01-01T00:00:00Z'), dt('2026-01-01T00:00:06Z'))).toBe(-1);
    expect(compareXsDateTime(dt('2026-01-01T00:00:06.0000000000001Z'), dt('2026-01-01T00:00:06Z'))).toBe(1);
    expect(compareXsDateTime(dt('2026-01-01T00:00:06.50Z'), dt('2026-01-01T00:00:06.5Z'))).toBe(0);
    expect(compareXsDateTime(dt('2026-01-01T00:00:05.999Z'), dt('2026-01-01T00:00:06Z'))).toBe(-1);
  });

  it('orders a time without a time zone against one with a zone only beyond 14 hours (XSD partial order)', () => {
    expect(compareXsDateTime(dt('2026-01-01T00:00:00'), dt('2026-01-01T10:00:00Z'))).toBeUndefined();
    expect(compareXsDateTime(dt('2026-01-01T00:00:00'), dt('2026-01-01T14:00:01Z'))).toBe(-1);
    expect(compareXsDateTime(dt('2026-01-02T00:00:00Z'), dt('2026-01-01T09:59:59'))).toBe(1);
    expect(compareXsDateTime(dt('2026-01-01T00:00:00'), dt('2026-01-01T00:00:06'))).toBe(-1);
  });
});

describe('xs:duration reader', () => {
  it.each(['PT0S', 'PT30S', 'PT6.006S', 'P1Y2M3DT4H5M6.7S', 'P1D', 'PT1H', 'P0Y', '-PT1S', 'PT0.000000000001S', 'P1M'])('reads %p', (text) =>
    expect(parseXsDuration(text)).toBeDefined(),
  );
  it.each(['P', 'PT', 'P1DT', 'PT1', 'P1W', 'PT1.S', 'PT.5S', 'P-1D', '+PT1S', 'T1S', 'pt1s', 'PT1S ', 'PT1M1H', '30'])('refuses %p', (text) =>
    expect(parseXsDuration(text)).toBeUndefined(),
  );

  it('folds days, hours and minutes into seconds, and years into months', () => {
    expect(dur('P1Y2M3DT4H5M6.70S')).toEqual({ negative: false, months: 14, seconds: 3 * 86_400 + 4 * 3600 + 5 * 60 + 6, fraction: '7' });
  });

  it('orders durations exactly, and P1M against P30D as indeterminate', () => {
    expect(compareXsDuration(dur('PT0S'), dur('PT30S'))).toBe(-1);
    expect(compareXsDuration(dur('PT60S'), dur('PT1M'))).toBe(0);
    expect(compareXsDuration(dur('PT30.000001S'), dur('PT30S'))).toBe(1);
    expect(compareXsDuration(dur('P1Y'), dur('P12M'))).toBe(0);
    expect(compareXsDuration(dur('P1M'), dur('P30D'))).toBeUndefined();
    expect(compareXsDuration(dur('P1M'), dur('P32D'))).toBe(-1);
  });
});

describe('dateTime + duration', () => {
  it('adds seconds with carries into days and years, and fractions exactly', () => {
    expect(compareXsDateTime(addXsDuration(dt('2026-12-31T23:59:54Z'), dur('PT6S'))!, dt('2027-01-01T00:00:00Z'))).toBe(0);
    expect(compareXsDateTime(addXsDuration(dt('2026-01-01T00:00:05.75Z'), dur('PT0.5S'))!, dt('2026-01-01T00:00:06.25Z'))).toBe(0);
    expect(compareXsDateTime(addXsDuration(dt('2026-01-01T00:00:06Z'), dur('-PT0.25S'))!, dt('2026-01-01T00:00:05.75Z'))).toBe(0);
  });

  it('adds months with the day pinned to the length of the month', () => {
    expect(compareXsDateTime(addXsDuration(dt('2026-01-31T00:00:00Z'), dur('P1M'))!, dt('2026-02-28T00:00:00Z'))).toBe(0);
    expect(compareXsDateTime(addXsDuration(dt('2024-01-31T00:00:00Z'), dur('P1M'))!, dt('2024-02-29T00:00:00Z'))).toBe(0);
    expect(compareXsDateTime(addXsDuration(dt('2026-03-31T00:00:00Z'), dur('-P1M'))!, dt('2026-02-28T00:00:00Z'))).toBe(0);
    expect(compareXsDateTime(addXsDuration(dt('2026-11-15T00:00:00Z'), dur('P1Y2M'))!, dt('2028-01-15T00:00:00Z'))).toBe(0);
  });
});
