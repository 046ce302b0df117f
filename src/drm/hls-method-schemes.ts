import type { EncryptionScheme } from './drm-system.js';

/**
 * SPEKE v2.1 (CPIX 2.4) also allows an HLS encryption method as ContentKey@commonEncryptionScheme
 * (SPEKE-v2.1.md §c; draft-pantos-hls-rfc8216bis METHOD values). `NONE` is not a way to encrypt a
 * key and is refused as an unsupported scheme.
 */
export type HlsMethodScheme = 'AES-128' | 'SAMPLE-AES' | 'SAMPLE-AES-CTR';
export const HLS_METHOD_SCHEMES: readonly HlsMethodScheme[] = ['AES-128', 'SAMPLE-AES', 'SAMPLE-AES-CTR'];

/** Any value a validated ContentKey@commonEncryptionScheme can take: a CENC scheme, or (v2.1) an HLS method. */
export type ContentKeyScheme = EncryptionScheme | HlsMethodScheme;

export function isHlsMethodScheme(scheme: ContentKeyScheme | undefined): scheme is HlsMethodScheme {
  return scheme !== undefined && (HLS_METHOD_SCHEMES as readonly string[]).includes(scheme);
}

/**
 * The CENC scheme an HLS method behaves as in fMP4 segments: SAMPLE-AES is cbcs, SAMPLE-AES-CTR is
 * cenc. AES-128 (whole-segment AES-CBC) has none: it cannot be signalled with a PSSH or in DASH.
 * A CENC scheme is itself.
 */
export function cencSchemeOf(scheme: ContentKeyScheme): EncryptionScheme | undefined {
  switch (scheme) {
    case 'SAMPLE-AES':
      return 'cbcs';
    case 'SAMPLE-AES-CTR':
      return 'cenc';
    case 'AES-128':
      return undefined;
    default:
      return scheme;
  }
}

/**
 * Schemes a PSSH-based system (Widevine, PlayReady, common PSSH) can use: every CENC scheme, and
 * the HLS methods for fMP4, SAMPLE-AES (as cbcs) and SAMPLE-AES-CTR (as cenc); never AES-128, which
 * encrypts whole segments and has no PSSH.
 */
export function supportsPsshScheme(scheme: ContentKeyScheme): boolean {
  return cencSchemeOf(scheme) !== undefined;
}

/** The CENC scheme a PSSH-based system writes for a content key's scheme (v1 sends none: cenc). */
export function psshScheme(scheme: ContentKeyScheme | undefined): EncryptionScheme {
  return cencSchemeOf(scheme ?? 'cenc') ?? 'cenc';
}
