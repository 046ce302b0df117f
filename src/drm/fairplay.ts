import type { DrmSettings } from './drm-settings.js';
import type { DrmSystem, KeyContext } from './drm-system.js';
import { SYSTEM_IDS } from './system-ids.js';
import { required } from '../required.js';

export const FAIRPLAY_KEY_FORMAT = 'com.apple.streamingkeydelivery';

/**
 * Placeholders of the FairPlay key URI template:
 * {contentId} the CPIX content ID, percent-encoded; {kid} the KID as a lower-case UUID;
 * {kidHex} the KID as 32 hex digits; {iv} the IV in base64; {ivHex} the IV as 32 hex digits.
 */
export const FAIRPLAY_URI_PLACEHOLDERS = ['contentId', 'kid', 'kidHex', 'iv', 'ivHex'] as const;
export type FairPlayUriPlaceholder = (typeof FAIRPLAY_URI_PLACEHOLDERS)[number];

/** Every `{name}` in a template, in order of appearance. */
export function templatePlaceholders(template: string): string[] {
  return [...template.matchAll(/\{([^{}]*)\}/g)].map((m) => required(m[1], 'the placeholder name'));
}

function placeholderValue(name: FairPlayUriPlaceholder, context: KeyContext): string {
  switch (name) {
    case 'contentId':
      return encodeURIComponent(context.contentId);
    case 'kid':
      return context.kid;
    case 'kidHex':
      return context.kid.replace(/-/g, '');
    case 'iv':
    case 'ivHex':
      // needsIv guarantees an IV: the request's explicitIV, else the one the core derived.
      if (context.iv === undefined) throw new Error(`FairPlay key URI needs an IV for KID ${context.kid}`);
      return context.iv.toString(name === 'iv' ? 'base64' : 'hex');
  }
}

/**
 * The template split once into literal text and placeholders, so that each key costs only the
 * placeholder values. An unknown placeholder still fails when a URI is made, as before.
 */
function compileKeyUriTemplate(template: string): (context: KeyContext) => string {
  const parts: (string | { name: string })[] = [];
  let last = 0;
  for (const match of template.matchAll(/\{([^{}]*)\}/g)) {
    parts.push(template.slice(last, match.index), { name: required(match[1], 'the placeholder name') });
    last = match.index + match[0].length;
  }
  parts.push(template.slice(last));
  return (context) => {
    let uri = '';
    for (const part of parts) {
      if (typeof part === 'string') uri += part;
      else {
        if (!(FAIRPLAY_URI_PLACEHOLDERS as readonly string[]).includes(part.name)) throw new Error(`Unknown FairPlay key URI placeholder {${part.name}}`);
        uri += placeholderValue(part.name as FairPlayUriPlaceholder, context);
      }
    }
    return uri;
  };
}

/**
 * Apple FairPlay Streaming (SPEKE.md §5.7, §5.8): HLS signalling only, with an skd:// URI the
 * FairPlay key server maps back to the key. The ContentKey always carries an IV (needsIv), since
 * the key server returns it with the key. SPEKE v2 allows only cbcs, and v2.1 also SAMPLE-AES (its
 * HLS name); AES-128 and SAMPLE-AES-CTR are refused. v1 requests carry no scheme.
 */
export function fairPlay(settings: Pick<DrmSettings, 'fairPlayKeyUriTemplate'>): DrmSystem {
  const keyUri = compileKeyUriTemplate(settings.fairPlayKeyUriTemplate);
  return {
    systemId: SYSTEM_IDS.fairplay,
    name: 'FairPlay',
    needsIv: true,
    publishesKey: false,
    supportsScheme: (scheme) => scheme === 'cbcs' || scheme === 'SAMPLE-AES',
    signal: (context) => {
      const uri = keyUri(context);
      return {
        uriExtXKey: uri,
        keyFormat: FAIRPLAY_KEY_FORMAT,
        keyFormatVersions: '1',
        hls: { method: 'SAMPLE-AES', keyFormat: FAIRPLAY_KEY_FORMAT, keyFormatVersions: '1', uri },
      };
    },
  };
}
