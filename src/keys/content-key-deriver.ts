import { contentDerivation, extract } from './derive.js';

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

/**
 * The extract step's result per master secret object: secret sources hand out the same object
 * while they cache it, so HKDF-Extract runs once per secret, not once per request. Weakly held:
 * a rotated secret's entry goes with the old secret.
 */
const extracted = new WeakMap<Uint8Array, Buffer>();

/** HKDF-SHA256 from the master secret (see derive.ts); the extract step runs once per secret. */
export function hkdfDeriver(masterSecret: Uint8Array, contentId: string): ContentKeyDeriver {
  let prk = extracted.get(masterSecret);
  if (prk === undefined) extracted.set(masterSecret, (prk = extract(masterSecret)));
  const derive = contentDerivation(prk, contentId);
  return {
    contentKey: (kid) => derive('content-key', kid),
    iv: (kid) => derive('iv', kid),
  };
}
