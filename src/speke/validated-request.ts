import type { ContentKeyEntry, CpixDocument, DrmSystemEntry } from '../cpix/document.js';
import type { DrmSystem } from '../drm/drm-system.js';
import type { ContentKeyScheme } from '../drm/hls-method-schemes.js';
import type { SpekeVersion } from './version.js';

/** A ContentKey that passed validation. */
export interface ValidContentKey {
  entry: ContentKeyEntry;
  /** Canonical lower-case KID. */
  kid: string;
  /** The KID as the request spells it (derivation and grants use that spelling). */
  kidAsSent: string;
  /** Decoded explicitIV of the request, if any. */
  explicitIV: Buffer | undefined;
  scheme: ContentKeyScheme | undefined;
}

/** A DRMSystem that passed validation, with the module that fills it. */
export interface ValidDrmSystem {
  entry: DrmSystemEntry;
  kid: string;
  system: DrmSystem;
}

export interface ValidatedRequest {
  spekeVersion: SpekeVersion;
  document: CpixDocument;
  contentId: string;
  contentKeys: ValidContentKey[];
  drmSystems: ValidDrmSystem[];
}
