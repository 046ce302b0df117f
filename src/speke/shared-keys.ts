import { SpekeValidationError } from '../errors.js';
import { PROTECTED_DRM_SYSTEMS } from '../keys/key-grant.js';
import type { ValidDrmSystem } from './validated-request.js';

/**
 * A KID asked for both by a system whose key players fetch at its key URL (HLS AES-128, ClearKey
 * AES-128: the key is published) and by Widevine, PlayReady or FairPlay would publish that DRM
 * key to anyone who has the URL. Refused (422) unless shared keys are allowed
 * (SPEKE_CLEARKEY_ALLOW_SHARED_KEYS, which also lets the ClearKey license endpoint answer them).
 */
export function refuseSharedPublishedKeys(drmSystems: readonly ValidDrmSystem[]): void {
  const published = new Map<string, string>();
  for (const drm of drmSystems) if (drm.system.publishesKey && !published.has(drm.kid)) published.set(drm.kid, drm.system.name);
  if (published.size === 0) return;
  for (const drm of drmSystems) {
    const publisher = published.get(drm.kid);
    if (publisher !== undefined && PROTECTED_DRM_SYSTEMS.has(drm.system.systemId)) {
      throw new SpekeValidationError(
        `KID ${drm.kid} is asked for ${publisher} and for ${drm.system.name}: its key would be published at a key URL that needs no license. ` +
          'Use a separate KID for each (or set SPEKE_CLEARKEY_ALLOW_SHARED_KEYS=true)',
        'key-shared-with-drm',
      );
    }
  }
}
