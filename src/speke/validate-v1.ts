import type { CpixDocument } from '../cpix/document.js';
import { NS } from '../cpix/namespaces.js';
import { attr, childrenNamed } from '../cpix/xml-tree.js';
import { ENCRYPTION_SCHEMES, type EncryptionScheme } from '../drm/drm-system.js';
import type { DrmRegistry } from '../drm/registry.js';
import { canonicalUuid, isUuid } from '../uuid.js';
import {
  checkContentIdLength,
  checkContentKeyKids,
  checkCounts,
  checkDrmSystemAttributes,
  checkDrmSystemKids,
  decodeExplicitIV,
  printable,
  resolveDrmSystems,
} from './common-checks.js';
import { SpekeValidationError } from '../errors.js';
import type { Limits } from './limits.js';
import type { ValidatedRequest } from './validated-request.js';
import { required } from '../required.js';

/**
 * SPEKE v1 (CPIX 2.0 profile): root CPIX with a non-empty id, ContentKeys with unique UUID kids,
 * every DRMSystem and usage rule referring to a ContentKey, known system IDs only.
 */
export function validateV1(document: CpixDocument, registry: DrmRegistry, limits: Limits): ValidatedRequest {
  const contentId = document.root.attributes.find((a) => a.ns === '' && a.local === 'id')?.value;
  if (contentId === undefined || contentId.trim() === '') throw new SpekeValidationError('Missing CPIX@id', 'missing-content-id');
  checkContentIdLength(contentId, 'id', limits);
  if (!document.contentKeyList) throw new SpekeValidationError('Missing ContentKeyList', 'missing-list');
  if (document.contentKeys.length === 0) throw new SpekeValidationError('ContentKeyList has no ContentKey', 'missing-list');
  checkCounts(document, limits);
  const kids = checkContentKeyKids(document.contentKeys);
  const contentKeys = document.contentKeys.map((entry, i) => {
    const kid = required(kids[i], 'the checked KID');
    const scheme = entry.commonEncryptionScheme?.trim();
    if (scheme !== undefined && !ENCRYPTION_SCHEMES.includes(scheme as EncryptionScheme)) {
      throw new SpekeValidationError(`Unsupported ContentKey@commonEncryptionScheme ${printable(scheme)} for KID ${kid}`, 'unsupported-scheme');
    }
    return {
      entry,
      kid,
      kidAsSent: required(entry.kid, 'ContentKey@kid'),
      explicitIV: decodeExplicitIV(entry, kid),
      scheme: scheme as EncryptionScheme | undefined,
    };
  });
  checkDrmSystemAttributes(document);
  const drmSystems = resolveDrmSystems(document, registry);
  const kidSet = new Set(kids);
  checkDrmSystemKids(drmSystems, kidSet);
  for (const rule of document.usageRules) {
    if (rule.kid === undefined || !isUuid(rule.kid) || !kidSet.has(canonicalUuid(rule.kid))) {
      throw new SpekeValidationError(`ContentKeyUsageRule@kid ${printable(rule.kid ?? '')} is not in ContentKeyList`, 'unknown-kid');
    }
    for (const filter of childrenNamed(rule.element, NS.cpix, 'KeyPeriodFilter')) {
      const periodId = attr(filter, 'periodId');
      if (periodId === undefined || !document.periodIds.includes(periodId)) {
        throw new SpekeValidationError(`KeyPeriodFilter@periodId ${printable(periodId ?? '')} matches no ContentKeyPeriod@id`, 'unknown-period');
      }
    }
  }
  return { spekeVersion: 'v1', document, contentId, contentKeys, drmSystems };
}
