/** Bounds on what one request may ask for; each is configurable (see docs/configuration.md). */
export interface Limits {
  /** Request body size in bytes (SPEKE_MAX_BODY_BYTES). */
  maxBodyBytes: number;
  /** ContentKey elements per request (SPEKE_MAX_CONTENT_KEYS). */
  maxContentKeys: number;
  /** DRMSystem elements per request (SPEKE_MAX_DRM_SYSTEMS). */
  maxDrmSystems: number;
  /** Characters in the content ID (SPEKE_MAX_CONTENT_ID_LENGTH). */
  maxContentIdLength: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = {
  maxBodyBytes: 1024 * 1024,
  maxContentKeys: 1000,
  maxDrmSystems: 5000,
  maxContentIdLength: 256,
};
