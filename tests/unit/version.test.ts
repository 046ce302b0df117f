import { spekeVersion } from '../../src/speke/version.js';
import { UnsupportedVersionError } from '../../src/errors.js';

describe('SPEKE version dispatch (X-Speke-Version)', () => {
  it('treats an absent header as v1', () => {
    expect(spekeVersion(undefined)).toBe('v1');
  });
  it('treats 2.0 as v2, after trimming', () => {
    expect(spekeVersion('2.0')).toBe('v2');
    expect(spekeVersion(' 2.0 ')).toBe('v2');
  });
  it('treats 2.1 as v2.1 (CPIX 2.4), after trimming', () => {
    expect(spekeVersion('2.1')).toBe('v2.1');
    expect(spekeVersion(' 2.1\t')).toBe('v2.1');
  });
  it.each(['2.2', '3.0', '1.0', '', '2', '2.00', '2.10', 'v2.1'])('refuses %p with "Unsupported SPEKE version"', (value) => {
    expect(() => spekeVersion(value)).toThrow(UnsupportedVersionError);
    expect(() => spekeVersion(value)).toThrow('Unsupported SPEKE version');
  });
});
