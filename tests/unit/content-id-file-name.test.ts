import { contentIdFileName } from '../../src/adapters/content-id-file-name.js';
import { contentIdSegment } from '../../src/keys/key-location.js';

/** The data folder's names for content IDs (src/adapters/content-id-file-name.ts). */
describe('contentIdFileName', () => {
  it('is the key-URL segment for every content ID whose segment fits (existing data folders keep their names)', () => {
    for (const id of ['movie-1', 'live/channel 1', '..', 'é'.repeat(33), 'a'.repeat(200)]) expect(contentIdFileName(id)).toBe(contentIdSegment(id));
  });

  it('is at most 225 bytes, distinct per content ID, for the longest content IDs a request may carry', () => {
    const ids = ['a'.repeat(201), 'a'.repeat(202), 'é'.repeat(256), `${'é'.repeat(255)}e`, '\u{1F600}'.repeat(240)];
    const names = ids.map(contentIdFileName);
    for (const name of names) expect(Buffer.byteLength(name)).toBeLessThanOrEqual(225);
    expect(new Set(names).size).toBe(ids.length);
  });
});
