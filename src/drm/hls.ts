import type { HlsKeyAttributes } from './drm-system.js';

export type HlsPlaylist = 'media' | 'master';

/**
 * One HLS key tag (SPEKE.md §5.7): #EXT-X-KEY for media playlists, #EXT-X-SESSION-KEY for the
 * multivariant playlist, with the same attributes in the order METHOD, KEYFORMAT,
 * KEYFORMATVERSIONS, URI. No IV and no SCHEME: the encryptor owns those.
 */
export function hlsKeyTag(playlist: HlsPlaylist, attributes: HlsKeyAttributes): string {
  let tag = `${playlist === 'media' ? '#EXT-X-KEY' : '#EXT-X-SESSION-KEY'}:METHOD=${attributes.method}`;
  if (attributes.keyFormat !== undefined) tag += `,KEYFORMAT="${attributes.keyFormat}"`;
  if (attributes.keyFormatVersions !== undefined) tag += `,KEYFORMATVERSIONS="${attributes.keyFormatVersions}"`;
  return `${tag},URI="${attributes.uri}"`;
}
