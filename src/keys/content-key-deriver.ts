import { derive } from './derive.js';

/**
 * Key material for one content ID. The default derives with HKDF from the master secret; other
 * derivations (e.g. compatibility with the Python reference server) plug in here.
 */
export interface ContentKeyDeriver {
  /** The 16-byte content key. `kidAsSent` is the KID exactly as the request spelled it. */
  contentKey(kid: string, kidAsSent: string): Buffer;
  /** A 16-byte IV for systems that need one when the request sent none; unrelated to the key. */
  iv(kid: string, kidAsSent: string): Buffer;
}

export function hkdfDeriver(masterSecret: Uint8Array, contentId: string): ContentKeyDeriver {
  return {
    contentKey: (kid) => derive(masterSecret, 'content-key', contentId, kid),
    iv: (kid) => derive(masterSecret, 'iv', contentId, kid),
  };
}
