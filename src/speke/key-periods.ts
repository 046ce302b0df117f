import type { CpixDocument } from '../cpix/document.js';
import { NS } from '../cpix/namespaces.js';
import { attr, childrenNamed, type XmlElement } from '../cpix/xml-tree.js';
import {
  addXsDuration,
  compareXsDateTime,
  compareXsDuration,
  isZeroDuration,
  parseXsDateTime,
  parseXsDuration,
  type XsDateTime,
  type XsDuration,
} from '../cpix/xs-time.js';
import { canonicalUuid, isUuid } from '../uuid.js';
import { printable } from './common-checks.js';
import { SpekeValidationError } from '../errors.js';
import { required } from '../required.js';

/**
 * SPEKE v2.1 (CPIX 2.4) key-period timing (SPEKE-v2.1.md §b): a ContentKeyPeriod may carry
 * @start/@end (xs:dateTime, live) or @startOffset/@endOffset (xs:duration, VOD), with or without
 * @index (MediaPackage's START_END_ONLY sends none). The periods are validated here and echoed
 * exactly as sent; nothing is normalised. AWS documents no error text for timing, so each refusal is
 * a 422 beginning `Malformed ContentKeyPeriod`, naming the period and what is wrong with it.
 */

/** The interval a period covers, in the one time line its attributes use. */
export type PeriodSpan = { kind: 'live'; start: XsDateTime; end: XsDateTime } | { kind: 'vod'; start: XsDuration; end: XsDuration } | { kind: 'none' };

const LIVE = ['start', 'end'] as const;
const VOD = ['startOffset', 'endOffset'] as const;

/** The ContentKeyPeriod@index type, xs:integer; SPEKE counts from zero up (it wraps after MAX_UINT32). */
const INDEX = /^\+?\d{1,20}$/;

function malformed(period: string, problem: string): never {
  throw new SpekeValidationError(`Malformed ContentKeyPeriod ${period}: ${problem}`, 'malformed-key-period');
}

function label(element: XmlElement, position: number): string {
  const id = attr(element, 'id');
  return id === undefined ? `#${position + 1}` : printable(id);
}

function dateTimeOf(element: XmlElement, name: 'start' | 'end', period: string): XsDateTime {
  const raw = required(attr(element, name), `@${name}`);
  const value = parseXsDateTime(raw.trim());
  if (!value) malformed(period, `@${name} "${printable(raw)}" is not an xs:dateTime (for example 2026-01-01T00:00:06Z)`);
  return value;
}

function durationOf(element: XmlElement, name: 'startOffset' | 'endOffset' | 'duration', period: string): XsDuration {
  const raw = required(attr(element, name), `@${name}`);
  const value = parseXsDuration(raw.trim());
  if (!value) malformed(period, `@${name} "${printable(raw)}" is not an xs:duration (for example PT30S)`);
  if (value.negative && !isZeroDuration(value)) malformed(period, `@${name} "${printable(raw)}" is negative`);
  return value;
}

/** Reads and checks the timing attributes of one ContentKeyPeriod. */
export function periodSpan(element: XmlElement, position: number): PeriodSpan {
  const period = label(element, position);
  const has = (name: string) => attr(element, name) !== undefined;
  const live = LIVE.filter(has);
  const vod = VOD.filter(has);
  const hasDuration = has('duration');
  const index = attr(element, 'index');
  if (index !== undefined && !INDEX.test(index.trim())) malformed(period, `@index "${printable(index)}" is not a non-negative integer`);
  if (live.length > 0 && vod.length > 0) {
    malformed(period, 'live times (@start/@end) and VOD offsets (@startOffset/@endOffset) are mixed in one period');
  }
  if (hasDuration && (has('end') || has('endOffset'))) malformed(period, `@duration cannot be combined with @${has('end') ? 'end' : 'endOffset'}`);
  if (live.length + vod.length === 0) {
    if (hasDuration) malformed(period, '@duration needs @start or @startOffset');
    if (index === undefined) malformed(period, 'neither @index nor @start/@end or @startOffset/@endOffset');
    return { kind: 'none' };
  }

  if (live.length > 0) {
    if (!has('start')) malformed(period, '@end without @start');
    const start = dateTimeOf(element, 'start', period);
    let end: XsDateTime | undefined;
    if (has('end')) end = dateTimeOf(element, 'end', period);
    else if (hasDuration) end = addXsDuration(start, durationOf(element, 'duration', period));
    else malformed(period, '@start without @end');
    if (!end) malformed(period, '@start + @duration is out of range');
    const order = compareXsDateTime(start, end);
    if (order === undefined) malformed(period, 'the order of @start and @end is indeterminate (one has a time zone, the other not)');
    if (order >= 0) malformed(period, has('end') ? '@end must be after @start' : '@duration must be longer than zero');
    return { kind: 'live', start, end };
  }

  if (!has('startOffset')) malformed(period, '@endOffset without @startOffset');
  const start = durationOf(element, 'startOffset', period);
  let end: XsDuration;
  if (has('endOffset')) end = durationOf(element, 'endOffset', period);
  else if (hasDuration) {
    const length = durationOf(element, 'duration', period);
    if (isZeroDuration(length)) malformed(period, '@duration must be longer than zero');
    // An offset's end is startOffset + duration: months and seconds add separately, as in the XSD.
    end = addDurations(start, length);
  } else malformed(period, '@startOffset without @endOffset');
  const order = compareXsDuration(start, end);
  if (order === undefined) malformed(period, 'the order of @startOffset and @endOffset is indeterminate (months against days)');
  if (order >= 0) malformed(period, '@endOffset must be after @startOffset');
  return { kind: 'vod', start, end };
}

function addDurations(a: XsDuration, b: XsDuration): XsDuration {
  const width = Math.max(a.fraction.length, b.fraction.length);
  const scale = 10n ** BigInt(width);
  const fraction = BigInt(a.fraction.padEnd(width, '0') || '0') + BigInt(b.fraction.padEnd(width, '0') || '0');
  const carry = fraction >= scale ? 1 : 0;
  const rest = carry ? fraction - scale : fraction;
  return {
    negative: false,
    months: a.months + b.months,
    seconds: a.seconds + b.seconds + carry,
    fraction: width === 0 ? '' : rest.toString().padStart(width, '0').replace(/0+$/, ''),
  };
}

function overlap(a: PeriodSpan, b: PeriodSpan): boolean | undefined {
  if (a.kind === 'none' || b.kind === 'none' || a.kind !== b.kind) return false;
  const cmp = a.kind === 'live' ? compareXsDateTime : compareXsDuration;
  // [s1, e1) and [s2, e2) are apart when e1 <= s2 or e2 <= s1.
  const e1s2 = cmp(a.end as never, b.start as never);
  const e2s1 = cmp(b.end as never, a.start as never);
  if ((e1s2 !== undefined && e1s2 <= 0) || (e2s1 !== undefined && e2s1 <= 0)) return false;
  return e1s2 === undefined || e2s1 === undefined ? undefined : true;
}

/**
 * Every period of a v2.1 request: ids unique, timing well-formed, and, for each content key, the
 * periods its usage rules name (KeyPeriodFilter) do not overlap (CPIX 2.4). That every
 * KeyPeriodFilter names an existing period is a contract rule (`Malformed encryption contract`),
 * checked with the rest of the contract.
 */
export function checkKeyPeriods(document: CpixDocument): void {
  if (!document.periodList) return;
  const elements = childrenNamed(document.periodList, NS.cpix, 'ContentKeyPeriod');
  const spans = new Map<string, PeriodSpan>();
  elements.forEach((element, i) => {
    const span = periodSpan(element, i);
    const id = attr(element, 'id');
    if (id === undefined) return;
    if (spans.has(id)) throw new SpekeValidationError(`Duplicate ContentKeyPeriod@id ${printable(id)}`, 'duplicate-key-period');
    spans.set(id, span);
  });

  const periodsByKid = new Map<string, string[]>();
  for (const rule of document.usageRules) {
    if (rule.kid === undefined || !isUuid(rule.kid)) continue;
    const kid = canonicalUuid(rule.kid);
    const ids = periodsByKid.get(kid) ?? [];
    for (const filter of childrenNamed(rule.element, NS.cpix, 'KeyPeriodFilter')) {
      const id = attr(filter, 'periodId');
      if (id !== undefined && spans.has(id) && !ids.includes(id)) ids.push(id);
    }
    periodsByKid.set(kid, ids);
  }
  for (const [kid, ids] of periodsByKid) {
    for (const [i, first] of ids.entries()) {
      for (const second of ids.slice(i + 1)) {
        const result = overlap(required(spans.get(first), `the span of ${first}`), required(spans.get(second), `the span of ${second}`));
        if (result !== false) {
          throw new SpekeValidationError(
            `Malformed ContentKeyPeriod ${printable(second)}: it overlaps ContentKeyPeriod ${printable(first)} for KID ${kid}`,
            'overlapping-key-periods',
          );
        }
      }
    }
  }
}
