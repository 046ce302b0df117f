import { NS } from '../cpix/namespaces.js';
import { attr, setText, type XmlElement } from '../cpix/xml-tree.js';
import type { Signalling } from '../drm/drm-system.js';
import { hlsKeyTag } from '../drm/hls.js';
import { SpekeValidationError } from '../errors.js';
import { isV2, type SpekeVersion } from './version.js';

/**
 * The base64 of a text's UTF-8 bytes. A text of ASCII characters only (its UTF-8 length is its
 * length) is its own UTF-8 and Latin-1 bytes, so btoa gives the same base64 without building a
 * Buffer; any other text is encoded as UTF-8 first.
 */
const b64 = (value: string) => (Buffer.byteLength(value, 'utf8') === value.length ? btoa(value) : Buffer.from(value, 'utf8').toString('base64'));

/**
 * The base64 value of one requested DRMSystem child, or undefined when the child means nothing
 * for this system. `null` marks an element that is not ours to fill (unknown elements are kept).
 * A v2 answer carries no v1-only element (URIExtXKey, anything in the speke namespace), even when
 * the request asked for one: MediaPackage v2 refuses them.
 */
function valueFor(child: XmlElement, signalling: Signalling, v2: boolean, masterPlaylists: readonly string[]): string | undefined | null {
  if (v2 && (child.ns === NS.speke || (child.ns === NS.cpix && child.local === 'URIExtXKey'))) return undefined;
  if (child.ns === NS.cpix) {
    switch (child.local) {
      case 'PSSH':
        return signalling.pssh?.toString('base64');
      case 'ContentProtectionData':
        return signalling.contentProtectionData === undefined ? undefined : b64(signalling.contentProtectionData);
      case 'URIExtXKey':
        return signalling.uriExtXKey === undefined ? undefined : b64(signalling.uriExtXKey);
      case 'SmoothStreamingProtectionHeaderData':
        return signalling.playReadyObject?.toString('base64');
      case 'HLSSignalingData': {
        if (!signalling.hls) return undefined;
        const playlist = attr(child, 'playlist') ?? 'media';
        return b64(hlsKeyTag(masterPlaylists.includes(playlist) ? 'master' : 'media', signalling.hls));
      }
      case 'HDSSignalingData':
        return undefined;
      default:
        return null;
    }
  }
  if (child.ns === NS.speke) {
    switch (child.local) {
      case 'KeyFormat':
        return signalling.keyFormat === undefined ? undefined : b64(signalling.keyFormat);
      case 'KeyFormatVersions':
        return signalling.keyFormatVersions === undefined ? undefined : b64(signalling.keyFormatVersions);
      case 'ProtectionHeader':
        return signalling.playReadyObject?.toString('base64');
      default:
        return null;
    }
  }
  return null;
}

/**
 * The playlist values that name the multivariant playlist (#EXT-X-SESSION-KEY): SPEKE's `master`,
 * and in v2.1 also CPIX 2.4's name for it, `multiVariant` (SPEKE-v2.1.md §a), echoed as sent.
 */
const MASTER = ['master'];
const MASTER_V21 = ['master', 'multiVariant'];

/**
 * SPEKE v2 asks for HLS signalling as a pair: one HLSSignalingData with playlist="media" and one
 * with playlist="master" (SPEKE.md §3.4 #4). Anything else is a structural gap, answered with a 4xx.
 */
function checkHlsPair(children: XmlElement[], kid: string, systemId: string, masterPlaylists: readonly string[]): void {
  const hls = children.filter((c) => c.ns === NS.cpix && c.local === 'HLSSignalingData');
  if (hls.length === 0) return;
  const playlists = hls.map((c) => attr(c, 'playlist'));
  const pair = hls.length === 2 && playlists.includes('media') && playlists.some((p) => p !== undefined && masterPlaylists.includes(p));
  if (!pair) {
    throw new SpekeValidationError(
      `DRMSystem ${systemId} for KID ${kid}: HLSSignalingData must come as a pair, one with playlist="media" and one with playlist="master"`,
      'hls-signaling-pair',
    );
  }
}

/**
 * Fills the children the encryptor asked for. Children that have no meaning for the system are
 * removed, never returned empty; children in foreign namespaces are kept as they were.
 */
export function fillDrmSystem(drm: XmlElement, signalling: Signalling, context: { spekeVersion: SpekeVersion; kid: string; systemId: string }): void {
  const children = drm.children.filter((c): c is XmlElement => c.kind === 'element');
  const v2 = isV2(context.spekeVersion);
  const masterPlaylists = context.spekeVersion === 'v2.1' ? MASTER_V21 : MASTER;
  if (v2 && signalling.hls) checkHlsPair(children, context.kid, context.systemId, masterPlaylists);
  drm.children = drm.children.filter((child) => {
    if (child.kind === 'text') return child.text.trim() !== '' && children.length === 0;
    const value = valueFor(child, signalling, v2, masterPlaylists);
    if (value === null) return true;
    if (value === undefined) return false;
    setText(child, value);
    return true;
  });
}
