import { required } from '../required.js';

/**
 * Readers for the XML Schema time types CPIX 2.4 uses on ContentKeyPeriod: xs:dateTime (@start,
 * @end) and xs:duration (@startOffset, @endOffset, @duration), after XML Schema 1.1 Part 2
 * §3.3.7 and §3.3.6 and their order relations. Values are read exactly (any number of fractional
 * second digits, time zones from -14:00 to +14:00, 24:00:00 as the end of a day) and compared
 * exactly (whole seconds as integers, the fraction as digits), never through floating point.
 * Nothing here rewrites a value: the answer echoes what the request sent.
 */

/** An instant, or a local time when `timezone` is false: seconds since 0001-01-01T00:00:00 plus a decimal fraction. */
export interface XsDateTime {
  /** Whole seconds since 0001-01-01T00:00:00 of the proleptic Gregorian calendar, in UTC when timezone is true. */
  seconds: number;
  /** Fractional second digits without trailing zeros ('' for none). */
  fraction: string;
  timezone: boolean;
}

/** A duration: months (years folded in) and seconds (days, hours and minutes folded in), one sign for both. */
export interface XsDuration {
  negative: boolean;
  months: number;
  seconds: number;
  fraction: string;
}

/** Years beyond this many digits are refused: no key period lies that far away, and the arithmetic stays exact. */
const MAX_YEAR = 999_999;

const DATE_TIME = /^(-?)(\d{4,})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})?$/;
const DURATION = /^(-?)P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?!$)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)(?:\.(\d+))?S)?)?$/;

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeap(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Days from 0001-01-01 to year-month-day (proleptic Gregorian; year 0 is 1 BCE as in XSD 1.1). */
function dayNumber(year: number, month: number, day: number): number {
  // Shift so the year starts in March: leap days then fall at the end of a year.
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 306; // 306: from 0000-03-01 to 0001-01-01
}

function trimFraction(digits: string | undefined): string {
  return (digits ?? '').replace(/0+$/, '');
}

/** Reads an xs:dateTime; undefined when the text is not one. */
export function parseXsDateTime(text: string): XsDateTime | undefined {
  const m = DATE_TIME.exec(text);
  if (!m) return undefined;
  const [, sign, yearText, monthText, dayText, hourText, minuteText, secondText, fractionText, zone] = m;
  // A year of more than four digits has no leading zero (XSD 1.1 yearFrag).
  const years = required(yearText, 'the year');
  if (years.length > 4 && years.startsWith('0')) return undefined;
  const year = Number(yearText) * (sign === '-' ? -1 : 1);
  if (sign === '-' && Number(yearText) === 0) return undefined; // "-0000" is not a year
  const month = Number(monthText);
  const day = Number(dayText);
  const hour = Number(hourText);
  const minute = Number(minuteText);
  const second = Number(secondText);
  if (Math.abs(year) > MAX_YEAR || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  const endOfDay = hour === 24 && minute === 0 && second === 0 && trimFraction(fractionText) === '';
  if ((hour > 23 && !endOfDay) || minute > 59 || second > 59) return undefined;
  let offsetMinutes = 0;
  if (zone !== undefined && zone !== 'Z') {
    const zh = Number(zone.slice(1, 3));
    const zm = Number(zone.slice(4, 6));
    if (zm > 59 || zh * 60 + zm > 14 * 60) return undefined;
    offsetMinutes = (zone.startsWith('-') ? -1 : 1) * (zh * 60 + zm);
  }
  const seconds = dayNumber(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offsetMinutes * 60;
  return { seconds, fraction: trimFraction(fractionText), timezone: zone !== undefined };
}

/** Reads an xs:duration; undefined when the text is not one. */
export function parseXsDuration(text: string): XsDuration | undefined {
  const m = DURATION.exec(text);
  if (!m) return undefined;
  const [, sign, years, months, days, hours, minutes, secondsText, fractionText] = m;
  // "T" must be followed by at least one time component (the lookahead above only refuses a final T).
  if (text.includes('T') && hours === undefined && minutes === undefined && secondsText === undefined) return undefined;
  const n = (value: string | undefined) => (value === undefined ? 0 : Number(value));
  const totalMonths = n(years) * 12 + n(months);
  const totalSeconds = n(days) * 86_400 + n(hours) * 3600 + n(minutes) * 60 + n(secondsText);
  if (!Number.isSafeInteger(totalMonths) || !Number.isSafeInteger(totalSeconds) || totalMonths > MAX_YEAR * 12) return undefined;
  return { negative: sign === '-', months: totalMonths, seconds: totalSeconds, fraction: trimFraction(fractionText) };
}

/** -1, 0 or 1 for (whole, fraction) pairs. */
function compareExact(aSeconds: number, aFraction: string, bSeconds: number, bFraction: string): -1 | 0 | 1 {
  if (aSeconds !== bSeconds) return aSeconds < bSeconds ? -1 : 1;
  const width = Math.max(aFraction.length, bFraction.length);
  const a = aFraction.padEnd(width, '0');
  const b = bFraction.padEnd(width, '0');
  return a === b ? 0 : a < b ? -1 : 1;
}

/** Fourteen hours: how far a time without a time zone may lie from the same clock reading with one. */
const FOURTEEN_HOURS = 14 * 3600;

/**
 * The XSD order of two dateTimes: -1, 0 or 1, or undefined when it is indeterminate (one value has
 * a time zone and the other not, and they lie within 14 hours of each other).
 */
export function compareXsDateTime(a: XsDateTime, b: XsDateTime): -1 | 0 | 1 | undefined {
  if (a.timezone === b.timezone) return compareExact(a.seconds, a.fraction, b.seconds, b.fraction);
  // Compare a against b's earliest and latest possible instants.
  const [local, zoned, flip] = a.timezone ? [b, a, -1] : [a, b, 1];
  const earliest = compareExact(local.seconds - FOURTEEN_HOURS, local.fraction, zoned.seconds, zoned.fraction);
  const latest = compareExact(local.seconds + FOURTEEN_HOURS, local.fraction, zoned.seconds, zoned.fraction);
  if (latest < 0) return (-1 * flip) as -1 | 1;
  if (earliest > 0) return (1 * flip) as -1 | 1;
  return undefined;
}

/** dateTime + duration (XSD 1.1 Part 2 §E.3.3): months first, with the day pinned to the month's length, then seconds. */
export function addXsDuration(dateTime: XsDateTime, duration: XsDuration): XsDateTime | undefined {
  const sign = duration.negative ? -1 : 1;
  const day = Math.floor(dateTime.seconds / 86_400);
  const secondOfDay = dateTime.seconds - day * 86_400;
  const { year, month, dayOfMonth } = civil(day);
  const monthIndex = year * 12 + (month - 1) + sign * duration.months;
  const newYear = Math.floor(monthIndex / 12);
  const newMonth = monthIndex - newYear * 12 + 1;
  if (Math.abs(newYear) > MAX_YEAR) return undefined;
  const pinnedDay = Math.min(dayOfMonth, daysInMonth(newYear, newMonth));
  let seconds = dayNumber(newYear, newMonth, pinnedDay) * 86_400 + secondOfDay + sign * duration.seconds;
  let fraction: string;
  if (duration.fraction === '') fraction = dateTime.fraction;
  else {
    // Add or subtract the fractions as integers of the wider width, carrying into the seconds.
    const width = Math.max(dateTime.fraction.length, duration.fraction.length);
    const scale = 10n ** BigInt(width);
    let sum = BigInt(dateTime.fraction.padEnd(width, '0') || '0') + BigInt(sign) * BigInt(duration.fraction.padEnd(width, '0'));
    while (sum < 0n) {
      sum += scale;
      seconds -= 1;
    }
    while (sum >= scale) {
      sum -= scale;
      seconds += 1;
    }
    fraction = trimFraction(sum.toString().padStart(width, '0'));
  }
  if (!Number.isSafeInteger(seconds)) return undefined;
  return { seconds, fraction, timezone: dateTime.timezone };
}

/** Year, month and day of a day number (inverse of dayNumber). */
function civil(dayNo: number): { year: number; month: number; dayOfMonth: number } {
  const z = dayNo + 306;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const dayOfMonth = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, dayOfMonth };
}

/** The four reference instants of XSD's duration order (XML Schema 1.1 Part 2 §3.3.6.2). */
const REFERENCES = ['1696-09-01T00:00:00Z', '1697-02-01T00:00:00Z', '1903-03-01T00:00:00Z', '1903-07-01T00:00:00Z'].map((t) =>
  required(parseXsDateTime(t), `the reference instant ${t}`),
);

/**
 * The XSD order of two durations: each is added to four reference instants; the order is the one all
 * four agree on, or undefined when they do not (P1M against P30D).
 */
export function compareXsDuration(a: XsDuration, b: XsDuration): -1 | 0 | 1 | undefined {
  const orders = new Set(
    REFERENCES.map((ref) => {
      const x = addXsDuration(ref, a);
      const y = addXsDuration(ref, b);
      return x && y ? compareXsDateTime(x, y) : undefined;
    }),
  );
  return orders.size === 1 ? [...orders][0] : undefined;
}

/** True for a duration of zero length. */
export function isZeroDuration(d: XsDuration): boolean {
  return d.months === 0 && d.seconds === 0 && d.fraction === '';
}
