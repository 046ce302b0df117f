import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { layerOf, layerViolation } from '../../eslint/layers.js';

/**
 * The one-way import rule (eslint/layers.js) as the repository's lint configuration runs it: a
 * snippet linted as if it were a file of a given folder. If the rule were dropped from
 * eslint.config.js, or its table stopped matching the folders, these tests would fail.
 */
// The probes are files that do not exist, which type-aware linting cannot place in a TypeScript
// project: type information is switched off for them (the layer rule needs none).
const eslint = new ESLint({ cwd: process.cwd(), overrideConfig: tseslint.configs.disableTypeChecked });

async function layerMessages(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  const messages = result?.messages ?? [];
  // A snippet that does not parse would report no layer problem at all: that must fail too.
  expect(messages.filter((m) => m.fatal === true)).toEqual([]);
  return messages.filter((m) => m.ruleId === 'layers/one-way').map((m) => m.message);
}

describe('imports run one way (layers/one-way in eslint.config.js)', () => {
  it('refuses an import of a higher layer: cpix may not import speke', async () => {
    const messages = await layerMessages('src/cpix/layer-probe.ts', "import { answerCpix } from '../speke/answer.js';\nexport const probe = answerCpix;\n");
    expect(messages).toEqual(['Wrong-way import: cpix (layer 1) may not import speke (layer 4, above it): src/speke/answer.js.']);
  });

  it('refuses type-only imports, re-exports and imports of a sibling layer too', async () => {
    const messages = await layerMessages(
      'src/drm/layer-probe.ts',
      "import type { CpixDocument } from '../cpix/document.js';\nexport type { Limits } from '../speke/limits.js';\nexport type Probe = CpixDocument;\n",
    );
    expect(messages).toHaveLength(2);
    expect(messages[0]).toContain('drm may not import its sibling layer cpix');
    expect(messages[1]).toContain('drm (layer 1) may not import speke');
  });

  it('refuses a leaf importing anything in src/, and src/ importing tests', async () => {
    expect(await layerMessages('src/errors.ts', "import { uuidBytes } from './uuid.js';\nexport const probe = uuidBytes;\n")).toEqual([
      'Wrong-way import: errors may not import its sibling layer uuid (src/uuid.js).',
    ]);
    expect(await layerMessages('src/speke/layer-probe.ts', "import { KID_A } from '../../tests/support/requests.js';\nexport const probe = KID_A;\n")).toEqual([
      'Wrong-way import: src/ imports nothing outside src/ (tests/support/requests.js).',
    ]);
  });

  it('accepts imports downwards and within a layer', async () => {
    const code = [
      "import { SpekeValidationError } from '../errors.js';",
      "import { viewCpix } from '../cpix/document.js';",
      "import { derive } from '../keys/derive.js';",
      "import { spekeVersion } from './version.js';",
      'export const probe = [SpekeValidationError, viewCpix, derive, spekeVersion];',
      '',
    ].join('\n');
    expect(await layerMessages('src/speke/layer-probe.ts', code)).toEqual([]);
  });

  it('reports a file in src/ that is in no layer', async () => {
    expect(await layerMessages('src/stray.ts', 'export const probe = 1;\n')).toEqual(['src/stray.ts is in no layer: add it to LAYERS in eslint/layers.js.']);
  });

  it('places every source file in a layer, the entry points on top', () => {
    expect(layerOf('src/errors.ts')?.rank).toBe(0);
    expect(layerOf('src/local/server.ts')?.name).toBe('local');
    expect(layerOf('src/handlers/speke.ts')?.name).toBe('handlers');
    expect(layerViolation('src/local/server.ts', 'src/composition.js')).toBeUndefined();
    expect(layerViolation('src/composition.ts', 'src/local/server.js')).toContain('composition (layer 8) may not import local (layer 9');
    expect(layerViolation('src/handlers/speke.ts', 'src/local/listen.js')).toContain('sibling layer local');
  });
});
