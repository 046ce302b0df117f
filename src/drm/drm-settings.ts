/**
 * Per-deployment settings of the DRM modules, read and validated by src/config.ts and passed in by
 * src/composition.ts. The core itself reads no environment.
 */
export interface DrmSettings {
  /** Widevine provider name, written with the content ID into the WidevinePsshData when set. */
  widevineProvider?: string;
  /** Absolute http(s) PlayReady license URL, written as LA_URL into the WRM header when set. */
  playReadyLaUrl?: string;
  /** Template of the FairPlay key URI, e.g. `skd://{kid}` (placeholders: see fairplay.ts). */
  fairPlayKeyUriTemplate: string;
}

export const DEFAULT_FAIRPLAY_KEY_URI_TEMPLATE = 'skd://{kid}';

export const DEFAULT_DRM_SETTINGS: DrmSettings = { fairPlayKeyUriTemplate: DEFAULT_FAIRPLAY_KEY_URI_TEMPLATE };
