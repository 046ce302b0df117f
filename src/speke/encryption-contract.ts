import type { CpixDocument } from '../cpix/document.js';
import { NS } from '../cpix/namespaces.js';
import { attr, childElements, childrenNamed } from '../cpix/xml-tree.js';
import { canonicalUuid, isUuid } from '../uuid.js';
import { SpekeValidationError } from '../errors.js';
import { required } from '../required.js';

export const MISSING_CONTRACT = 'Missing CPIX encryption contract';
export const MALFORMED_CONTRACT = 'Malformed encryption contract';

const VIDEO_OR_AUDIO = new Set(['VideoFilter', 'AudioFilter']);
const UNSUPPORTED_FILTERS = new Set(['BitrateFilter', 'LabelFilter']);

function malformed(): SpekeValidationError {
  return new SpekeValidationError(MALFORMED_CONTRACT, 'malformed-contract');
}

/**
 * The SPEKE v2 encryption contract (SPEKE.md §3.6, §3.9 #10–#11). The contract is never modified;
 * a contract that breaks a rule is refused with the specification's text.
 */
export function checkEncryptionContract(document: CpixDocument, kids: ReadonlySet<string>): void {
  const avFilters = (rule: (typeof document.usageRules)[number]) => childElements(rule.element).filter((c) => c.ns === NS.cpix && VIDEO_OR_AUDIO.has(c.local));
  if (document.usageRules.every((rule) => avFilters(rule).length === 0)) {
    throw new SpekeValidationError(MISSING_CONTRACT, 'missing-contract');
  }
  const trackTypes = new Set<string>();
  for (const rule of document.usageRules) {
    const trackType = required(rule.intendedTrackType, 'ContentKeyUsageRule@intendedTrackType').trim();
    if (trackTypes.has(trackType)) throw malformed();
    trackTypes.add(trackType);
    if (rule.kid === undefined || !isUuid(rule.kid) || !kids.has(canonicalUuid(rule.kid))) throw malformed();

    const filters = avFilters(rule);
    const children = childElements(rule.element).filter((c) => c.ns === NS.cpix);
    if (trackType === 'ALL') {
      const video = childrenNamed(rule.element, NS.cpix, 'VideoFilter');
      const audio = childrenNamed(rule.element, NS.cpix, 'AudioFilter');
      const bare = [...video, ...audio].every((f) => f.attributes.length === 0);
      if (document.usageRules.length !== 1 || video.length !== 1 || audio.length !== 1 || !bare) throw malformed();
    } else {
      const parts = trackType.split('+').length;
      // One filter per '+'-joined sub-component; a single filter covering them all (e.g. SD+HD1 with
      // maxPixels=921600) is also sent by some encryptors and accepted (SPEKE.md §7.2).
      if (filters.length !== parts && !(parts > 1 && filters.length === 1)) throw malformed();
    }
    if (children.some((c) => UNSUPPORTED_FILTERS.has(c.local)) && filters.length === 0) throw malformed();
    for (const periodFilter of childrenNamed(rule.element, NS.cpix, 'KeyPeriodFilter')) {
      const periodId = attr(periodFilter, 'periodId');
      if (periodId === undefined || !document.periodIds.includes(periodId)) throw malformed();
    }
  }
}
