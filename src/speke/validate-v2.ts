import type { CpixDocument } from '../cpix/document.js';
import { attr } from '../cpix/xml-tree.js';
import { ENCRYPTION_SCHEMES } from '../drm/drm-system.js';
import { HLS_METHOD_SCHEMES, type ContentKeyScheme } from '../drm/hls-method-schemes.js';
import type { DrmRegistry } from '../drm/registry.js';
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
import { checkEncryptionContract } from './encryption-contract.js';
import { SpekeValidationError } from '../errors.js';
import { checkKeyPeriods } from './key-periods.js';
import type { Limits } from './limits.js';
import type { ValidatedRequest } from './validated-request.js';
import { required } from '../required.js';

/**
 * The CPIX version each SPEKE v2 version is pinned to (SPEKE-v2.1.md §a, §f #2): `2.3` (v2.0) or
 * `2.4` (v2.1), with trailing zeros tolerated as some clients compare numerically.
 */
const CPIX_VERSION_PATTERN = { v2: /^2\.30*$/, 'v2.1': /^2\.40*$/ } as const;

/** v2.0 keeps the four CENC schemes; v2.1 adds the HLS methods (SPEKE-v2.1.md §c). */
const SCHEMES: Record<'v2' | 'v2.1', readonly string[]> = { v2: ENCRYPTION_SCHEMES, 'v2.1': [...ENCRYPTION_SCHEMES, ...HLS_METHOD_SCHEMES] };

function fail(message: string, reason: string): never {
  throw new SpekeValidationError(message, reason);
}

/**
 * SPEKE v2 validation, in the order of SPEKE.md §3.9 and with its exact texts; the first failure
 * wins. (#1, the header, and #2, the document itself, are checked before this runs.) For v2.1 the
 * document must be CPIX 2.4, the scheme may be an HLS method, and the key periods' times are checked
 * (key-periods.ts) before the contract; everything else is as in v2.0.
 */
export function validateV2(document: CpixDocument, registry: DrmRegistry, limits: Limits, spekeVersion: 'v2' | 'v2.1' = 'v2'): ValidatedRequest {
  const { root } = document;
  // #3, #4, #5
  const contentId = attr(root, 'contentId');
  if (contentId === undefined || contentId.trim() === '') fail('Missing CPIX@contentId', 'missing-content-id');
  const version = attr(root, 'version')?.trim();
  if (version === undefined || version === '') fail('Missing CPIX@version', 'missing-cpix-version');
  if (!CPIX_VERSION_PATTERN[spekeVersion].test(version)) fail('Unsupported CPIX@version', 'unsupported-cpix-version');
  checkContentIdLength(contentId, 'contentId', limits);

  // #6: lists and mandatory attributes
  if (!document.contentKeyList || document.contentKeys.length === 0) fail('Missing or empty ContentKeyList', 'missing-list');
  if (!document.drmSystemList || document.drmSystems.length === 0) fail('Missing or empty DRMSystemList', 'missing-list');
  if (!document.usageRuleList || document.usageRules.length === 0) fail('Missing or empty ContentKeyUsageRuleList', 'missing-list');
  checkCounts(document, limits);
  const kids = checkContentKeyKids(document.contentKeys);
  checkDrmSystemAttributes(document);
  for (const rule of document.usageRules) {
    if (rule.kid === undefined || rule.kid.trim() === '') fail('Missing ContentKeyUsageRule@kid', 'missing-kid');
    if (rule.intendedTrackType === undefined || rule.intendedTrackType.trim() === '') {
      fail(`Missing ContentKeyUsageRule@intendedTrackType for KID ${printable(rule.kid)}`, 'missing-track-type');
    }
  }

  // #7, #8
  const schemes = document.contentKeys.map((key) => {
    const scheme = key.commonEncryptionScheme?.trim();
    if (scheme === undefined || scheme === '')
      fail(`Missing ContentKey@commonEncryptionScheme for KID ${required(key.kid, 'ContentKey@kid').trim()}`, 'missing-scheme');
    return scheme;
  });
  const scheme = required(schemes[0], 'the first scheme');
  if (schemes.some((s) => s !== scheme)) fail('Non compliant ContentKey@commonEncryptionScheme combination', 'mixed-schemes');
  if (!SCHEMES[spekeVersion].includes(scheme)) {
    fail(`Unsupported ContentKey@commonEncryptionScheme ${printable(scheme)}`, 'unsupported-scheme');
  }
  const contentKeys = document.contentKeys.map((entry, i) => {
    const kid = required(kids[i], 'the checked KID');
    return { entry, kid, kidAsSent: required(entry.kid, 'ContentKey@kid'), explicitIV: decodeExplicitIV(entry, kid), scheme: scheme as ContentKeyScheme };
  });

  // #9: scheme against every requested DRM we know
  for (const drm of document.drmSystems) {
    const system = registry.get(required(drm.systemId, 'DRMSystem@systemId').trim());
    if (system && !system.supportsScheme(scheme as ContentKeyScheme)) {
      fail(`ContentKey@commonEncryptionScheme non compatible with DRMSystem ${system.systemId}`, 'incompatible-scheme');
    }
  }

  // v2.1: key-period times (no AWS text; each refusal names the period). v2.0 ignores them, as before.
  if (spekeVersion === 'v2.1') checkKeyPeriods(document);

  // #10, #11 (#12: this server enforces no extra contract policy)
  const kidSet = new Set(kids);
  checkEncryptionContract(document, kidSet);

  // #13, #15
  const drmSystems = resolveDrmSystems(document, registry);
  checkDrmSystemKids(drmSystems, kidSet);
  return { spekeVersion, document, contentId, contentKeys, drmSystems };
}
