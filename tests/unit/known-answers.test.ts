import { answerDigest, knownAnswerCases } from '../support/known-answers.js';

/**
 * Known answers: the SHA-256 of the core's whole answer (headers and body) to fixed documents,
 * recorded from the core at commit 739ef94 (before the speed work of issue 16's last round). Any
 * change to an output path (escaping, base64, UUID bytes, key derivation, DRM payloads, renderer)
 * that changes one byte of an answer fails here. The documents: the bench's (a)-(f) and requests
 * with non-ASCII text and XML specials in the content ID and the DRM settings
 * (tests/support/known-answers.ts).
 */
const RECORDED: Record<string, string> = {
  'bench (a)': 'c96eef853820c86ab7216cef51ae5008e3c74d647b9b9262e608e7bb900b60b5',
  'bench (b)': '52414df4c8d3be1548a7350c78973592bbf00becbdc75d410734df73941c8962',
  'bench (c)': '1825c7ab810fca95004df79de7c56416cbce6023b80a47161c59daf3ea197194',
  'bench (d)': '18e55458a503d4f329f355344a1108d74f133b2a237957ad23e0d9940c3efbd2',
  'bench (e)': '7a2ff17a7850467b844cc1471cb5d7aa25b38cbac271be228b90072bb94e34dd',
  'bench (f)': 'a211beedbe0eeda7de8d66849b8e0c7771f931dd6a3bec8117a68631dfc00f18',
  'non-ASCII settings, live, explicitIV': '6d98b2336ebc8637c19f0cf975b78cbfe4e6069cbb1d06ed653b572260bd1318',
  'non-ASCII content ID, default settings, live': '7ef8e5ac6c42d3ff92cf0ebdf67d7ae9fd6db6bfb8f9cc461524a37f7550270a',
  'non-ASCII settings, VOD, derived IVs': 'f9fc1f5e1d7135cb88414691d4b1acbfb2af9b1aeb5ec5c23ee68f8b72ad2ac9',
  'non-ASCII content ID, default settings, VOD': '9a61835018beb264e653eeb239eae5ed262d438336a4ec8e577d0fe4234f90cc',
  'v1, non-ASCII content ID': '591d69f2ec0d81b010d55109f911d470761f7956199bab1e65809bb5d89364b5',
};

describe('known answers', () => {
  const cases = knownAnswerCases();

  it('covers every recorded document', () => {
    expect(cases.map((c) => c.name).sort()).toEqual(Object.keys(RECORDED).sort());
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s: the same bytes as recorded', (name, c) => {
    expect(answerDigest(c)).toBe(RECORDED[name]);
  });
});
