import fc from 'fast-check';
import { uuidBytes } from '../../src/uuid.js';

/** What uuidBytes always meant: dashes dropped, hex decoded (Buffer's rules for anything else). */
const reference = (value: string) => Buffer.from(value.replace(/-/g, ''), 'hex');

describe('uuidBytes', () => {
  it('gives the 16 bytes of canonical UUID text, either case', () => {
    expect(uuidBytes('e933bd1f-b372-5a57-8557-8ff36ec45d19').toString('hex')).toBe('e933bd1fb3725a5785578ff36ec45d19');
    expect(uuidBytes('E933BD1F-B372-5A57-8557-8FF36EC45D19').toString('hex')).toBe('e933bd1fb3725a5785578ff36ec45d19');
  });

  it('agrees with the general path on UUIDs and on anything near one', () => {
    const alphabet = fc.constantFrom(...'0123456789abcdefABCDEF-xg :é');
    const nearUuid = fc.tuple(fc.uuid(), fc.array(fc.tuple(fc.nat(35), alphabet), { maxLength: 3 })).map(([uuid, edits]) => {
      const chars = [...uuid];
      for (const [at, c] of edits) chars[at] = c;
      return chars.join('');
    });
    fc.assert(
      fc.property(fc.oneof(fc.uuid(), fc.uuid().map((u) => u.toUpperCase()), nearUuid, fc.string({ maxLength: 40 })), (value) => {
        expect(uuidBytes(value).equals(reference(value))).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });
});
