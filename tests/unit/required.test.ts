import { required } from '../../src/required.js';

describe('required', () => {
  it('returns what is there, falsy values included', () => {
    expect(required('token', 'the token')).toBe('token');
    expect(required(0, 'a count')).toBe(0);
    expect(required('', 'a text')).toBe('');
    expect(required(null, 'a node')).toBeNull();
  });

  it('throws, naming what is missing, instead of passing undefined on', () => {
    expect(() => required(undefined, 'the KID of ContentKey 2')).toThrow('Internal error: the KID of ContentKey 2 is missing');
  });
});
