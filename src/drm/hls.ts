import type { HlsKeyAttributes } from './drm-system.js';

export type HlsPlaylist = 'media' | 'master';

/**
 * One HLS key tag (SPEKE.md §5.7): #EXT-X-KEY for media playlists, #EXT-X-SESSION-KEY for the
 * multivariant playlist, with the same attributes in the order METHOD, KEYFORMAT,
 * KEYFORMATVERSIONS, URI. No IV and no SCHEME: the encryptor owns those.
 */
export function hlsKeyTag(playlist: HlsPlaylist, attributes: HlsKeyAttributes): string {
  const parts = [`METHOD=${attributes.method}`];
  if (attributes.keyFormat !== undefined) parts.push(`KEYFORMAT="${attributes.keyFormat}"`);
  if (attributes.keyFormatVersions !== undefined) parts.push(`KEYFORMATVERSIONS="${attributes.keyFormatVersions}"`);
  parts.push(`URI="${attributes.uri}"`);
  return `${playlist === 'media' ? '#EXT-X-KEY' : '#EXT-X-SESSION-KEY'}:${parts.join(',')}`;
}
