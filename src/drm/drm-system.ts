import type { ContentKeyScheme } from './hls-method-schemes.js';

export type EncryptionScheme = 'cenc' | 'cbc1' | 'cens' | 'cbcs';
export const ENCRYPTION_SCHEMES: readonly EncryptionScheme[] = ['cenc', 'cbc1', 'cens', 'cbcs'];

/** Everything a DRM module may use to build its signalling for one key. */
export interface KeyContext {
  contentId: string;
  /** Canonical lower-case UUID text. */
  kid: string;
  /** The 16 key bytes. */
  key: Buffer;
  /** The IV the ContentKey carries (request's explicitIV or derived), when there is one. */
  iv: Buffer | undefined;
  /** ContentKey@commonEncryptionScheme (v2 always; v1 when the encryptor sent one); an HLS method only in v2.1. */
  scheme: ContentKeyScheme | undefined;
  /** Where the key is published, for systems whose players fetch it. */
  keyUrl: string;
}

/** The attributes of one HLS key tag; media (#EXT-X-KEY) and master (#EXT-X-SESSION-KEY) share them. */
export interface HlsKeyAttributes {
  method: 'AES-128' | 'SAMPLE-AES' | 'SAMPLE-AES-CTR';
  keyFormat?: string;
  keyFormatVersions?: string;
  uri: string;
}

/**
 * The signalling a DRM system produces for one key. A field left undefined means the matching
 * DRMSystem child has no meaning for this system; such children are removed from the answer.
 */
export interface Signalling {
  /** Complete ISO-BMFF pssh box → cpix:PSSH. */
  pssh?: Buffer;
  /** UTF-8 XML fragment → cpix:ContentProtectionData. */
  contentProtectionData?: string;
  /** → cpix:URIExtXKey (v1), the URI attribute value of #EXT-X-KEY. */
  uriExtXKey?: string;
  /** → speke:KeyFormat (v1). */
  keyFormat?: string;
  /** → speke:KeyFormatVersions (v1). */
  keyFormatVersions?: string;
  /** PlayReady Object → speke:ProtectionHeader (v1) and cpix:SmoothStreamingProtectionHeaderData (v2). */
  playReadyObject?: Buffer;
  /** → cpix:HLSSignalingData media and master (v2). */
  hls?: HlsKeyAttributes;
}

/** One DRM system: a module per system, all registered in one registry. */
export interface DrmSystem {
  readonly systemId: string;
  readonly name: string;
  /** The ContentKey must carry an IV (FairPlay: the license server returns it with the key). */
  readonly needsIv: boolean;
  /** Players fetch the key itself from a key URL (AES-128), so it is published to the key store. */
  readonly publishesKey: boolean;
  /** Whether keys of this scheme can be used with this system (SPEKE.md §3.9 #9, SPEKE-v2.1.md §c). */
  supportsScheme(scheme: ContentKeyScheme): boolean;
  signal(context: KeyContext): Signalling;
}
