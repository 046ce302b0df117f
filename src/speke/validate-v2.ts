import type { CpixDocument } from '../cpix/document.js';
import { attr } from '../cpix/xml-tree.js';
import { ENCRYPTION_SCHEMES, type EncryptionScheme } from '../drm/drm-system.js';
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
import { SpekeValidationError } from './errors.js';
import type { Limits } from './limits.js';
import type { ValidatedRequest } from './validated-request.js';

export const SUPPORTED_CPIX_VERSION = '2.3';

function fail(message: string, reason: string): never {
  throw new SpekeValidationError(message, reason);
}

/**
 * SPEKE v2 validation, in the order of SPEKE.md §3.9 and with its exact texts; the first failure
 * wins. (#1, the header, and #2, the document itself, are checked before this runs.)
 */
export function validateV2(document: CpixDocument, registry: DrmRegistry, limits: Limits): ValidatedRequest {
  const { root } = document;
  // #3, #4, #5
  const contentId = attr(root, 'contentId');
  if (contentId === undefined || contentId.trim() === '') fail('Missing CPIX@contentId', 'missing-content-id');
  const version = attr(root, 'version')?.trim();
  if (version === undefined || version === '') fail('Missing CPIX@version', 'missing-cpix-version');
  if (!/^2\.30*$/.test(version)) fail('Unsupported CPIX@version', 'unsupported-cpix-version');
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
    if (scheme === undefined || scheme === '') fail(`Missing ContentKey@commonEncryptionScheme for KID ${key.kid!.trim()}`, 'missing-scheme');
    return scheme;
  });
  const scheme = schemes[0]!;
  if (schemes.some((s) => s !== scheme)) fail('Non compliant ContentKey@commonEncryptionScheme combination', 'mixed-schemes');
  if (!ENCRYPTION_SCHEMES.includes(scheme as EncryptionScheme)) {
    fail(`Unsupported ContentKey@commonEncryptionScheme ${printable(scheme)}`, 'unsupported-scheme');
  }
  const contentKeys = document.contentKeys.map((entry, i) => ({
    entry,
    kid: kids[i]!,
    explicitIV: decodeExplicitIV(entry, kids[i]!),
    scheme: scheme as EncryptionScheme,
  }));

  // #9: scheme against every requested DRM we know
  for (const drm of document.drmSystems) {
    const system = registry.get(drm.systemId!.trim());
    if (system && !system.supportsScheme(scheme as EncryptionScheme)) {
      fail(`ContentKey@commonEncryptionScheme non compatible with DRMSystem ${system.systemId}`, 'incompatible-scheme');
    }
  }

  // #10, #11 (#12: this server enforces no extra contract policy)
  const kidSet = new Set(kids);
  checkEncryptionContract(document, kidSet);

  // #13, #15
  const drmSystems = resolveDrmSystems(document, registry);
  checkDrmSystemKids(drmSystems, kidSet);
  return { spekeVersion: 'v2', document, contentId, contentKeys, drmSystems };
}
