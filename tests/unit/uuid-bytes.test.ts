import fc from 'fast-check';
import { uuidBytes } from '../../src/uuid.js';
import { psshBox } from '../../src/drm/pssh.js';
import { widevinePsshData } from '../../src/drm/widevine-pssh-data.js';

/** What uuidBytes always meant: dashes dropped, hex decoded (Buffer's rules for anything else). */
const reference = (value: string) => Buffer.from(value.replace(/-/g, ''), 'hex');

describe('uuidBytes', () => {
  it('gives the 16 bytes of canonical UUID text, either case', () => {
    expect(uuidBytes('e933bd1f-b372-5a57-8557-8ff36ec45d19').toString('hex')).toBe('e933bd1fb3725a5785578ff36ec45d19');
    expect(uuidBytes('E933BD1F-B372-5A57-8557-8FF36EC45D19').toString('hex')).toBe('e933bd1fb3725a5785578ff36ec45d19');
  });

  it('agrees with the general path on UUIDs and on anything near one', () => {
    const alphabet = fc.constantFrom(...Array.from('0123456789abcdefABCDEF-xg :é'));
    const nearUuid = fc.tuple(fc.uuid(), fc.array(fc.tuple(fc.nat(35), alphabet), { maxLength: 3 })).map(([uuid, edits]) => {
      const chars = Array.from(uuid);
      for (const [at, c] of edits) chars[at] = c;
      return chars.join('');
    });
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uuid(),
          fc.uuid().map((u) => u.toUpperCase()),
          nearUuid,
          fc.string({ maxLength: 40 }),
        ),
        (value) => {
          expect(uuidBytes(value).equals(reference(value))).toBe(true);
        },
      ),
      { numRuns: 5000 },
    );
  });
});

/** psshBox as it was written before UUIDs were decoded in place: uuidBytes copied into a zeroed box. */
function psshReference(systemId: string, data: Uint8Array, kids?: readonly string[]): Buffer {
  const version = kids === undefined ? 0 : 1;
  const size = 32 + (version === 1 ? 4 + 16 * (kids?.length ?? 0) : 0) + data.length;
  const box = Buffer.alloc(size);
  let offset = box.writeUInt32BE(size, 0);
  offset = box.writeUInt32BE(0x70737368, offset);
  offset = box.writeUInt32BE(version << 24, offset);
  offset += reference(systemId).copy(box, offset);
  if (kids !== undefined) {
    offset = box.writeUInt32BE(kids.length, offset);
    for (const kid of kids) offset += reference(kid).copy(box, offset);
  }
  offset = box.writeUInt32BE(data.length, offset);
  box.set(data, offset);
  return box;
}

describe('UUIDs decoded in place', () => {
  const alphabet = fc.constantFrom(...Array.from('0123456789abcdefABCDEF-xg'));
  const anyUuidText = fc.oneof(
    fc.uuid(),
    fc.tuple(fc.uuid(), fc.nat(35), alphabet).map(([u, at, c]) => u.slice(0, at) + c + u.slice(at + 1)),
    fc.string({ maxLength: 40 }),
  );

  it('pssh boxes hold the same bytes as with uuidBytes, for any system ID and KID text', () => {
    fc.assert(
      fc.property(
        anyUuidText,
        fc.option(fc.array(anyUuidText, { maxLength: 3 }), { nil: undefined }),
        fc.uint8Array({ maxLength: 8 }),
        (systemId, kids, data) => {
          expect(psshBox(systemId, data, kids).equals(psshReference(systemId, data, kids))).toBe(true);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('WidevinePsshData holds key_id as uuidBytes gives it, for any KID text', () => {
    fc.assert(
      fc.property(anyUuidText, fc.constantFrom('cenc' as const, 'cbcs' as const), (kid, scheme) => {
        const data = widevinePsshData({ kid, scheme });
        const bytes = reference(kid);
        expect(data.subarray(0, 2 + bytes.length).equals(Buffer.concat([Buffer.from([0x12, bytes.length]), bytes]))).toBe(true);
        expect(data.length).toBe(2 + bytes.length + (scheme === 'cenc' ? 0 : 6));
      }),
      { numRuns: 3000 },
    );
  });
});
