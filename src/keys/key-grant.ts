import { SYSTEM_IDS } from '../drm/system-ids.js';

/**
 * A key grant: the record that a SPEKE answer issued a KID for ClearKey use, so that the ClearKey
 * license endpoint may later hand that key to a player. Nothing else lets the license endpoint
 * answer: a KID without a grant is refused, never derived on request.
 */
export interface KeyGrant {
  contentId: string;
  /** Canonical lower-case KID. */
  kid: string;
  /** The KID as the encryptor spelled it (reference key derivation depends on the spelling). */
  kidAsSent: string;
  /** Every DRM system ID (lower-case) the request asked for with this KID. */
  systemIds: string[];
  /** When the answer was issued (ISO 8601). */
  issuedAt: string;
}

/** Systems whose players get the key from a ClearKey license: W3C common PSSH and ClearKey AES-128. */
export const CLEARKEY_USE_SYSTEMS: ReadonlySet<string> = new Set([SYSTEM_IDS.commonPssh, SYSTEM_IDS.clearKeyAes128]);

/** Systems whose keys are protected by a DRM license server; a ClearKey license must not give them away. */
export const PROTECTED_DRM_SYSTEMS: ReadonlySet<string> = new Set([SYSTEM_IDS.widevine, SYSTEM_IDS.playready, SYSTEM_IDS.fairplay]);

/**
 * The grants an answer issues: one per KID that at least one ClearKey-use DRMSystem asks for,
 * listing every system asked for with that KID (so a KID shared with Widevine, PlayReady or
 * FairPlay is recognisable later). Pure: the caller stamps the time.
 */
export function grantsToRecord(
  contentId: string,
  contentKeys: readonly { kid: string; kidAsSent: string }[],
  drmSystems: readonly { kid: string; systemId: string }[],
): Omit<KeyGrant, 'issuedAt'>[] {
  const spelling = new Map(contentKeys.map((k) => [k.kid, k.kidAsSent]));
  const systemsByKid = new Map<string, Set<string>>();
  for (const { kid, systemId } of drmSystems) {
    let systems = systemsByKid.get(kid);
    if (!systems) systemsByKid.set(kid, (systems = new Set()));
    systems.add(systemId.toLowerCase());
  }
  const grants: Omit<KeyGrant, 'issuedAt'>[] = [];
  for (const [kid, systems] of systemsByKid) {
    if ([...systems].some((id) => CLEARKEY_USE_SYSTEMS.has(id)))
      grants.push({ contentId, kid, kidAsSent: spelling.get(kid) ?? kid, systemIds: [...systems].sort() });
  }
  return grants;
}

/** Whether a grant's KID was also issued for Widevine, PlayReady or FairPlay. */
export function sharedWithDrm(grant: KeyGrant): boolean {
  return grant.systemIds.some((id) => PROTECTED_DRM_SYSTEMS.has(id));
}

/** A grant read back from a store, checked field by field (a store holds nothing else). */
export function parseKeyGrant(text: string): KeyGrant {
  const value = JSON.parse(text) as Partial<KeyGrant> | null;
  if (
    typeof value !== 'object' ||
    value === null ||
    typeof value.contentId !== 'string' ||
    typeof value.kid !== 'string' ||
    typeof value.kidAsSent !== 'string' ||
    typeof value.issuedAt !== 'string' ||
    !Array.isArray(value.systemIds) ||
    !value.systemIds.every((id) => typeof id === 'string')
  ) {
    throw new Error('Not a key grant record');
  }
  return { contentId: value.contentId, kid: value.kid, kidAsSent: value.kidAsSent, systemIds: value.systemIds, issuedAt: value.issuedAt };
}
