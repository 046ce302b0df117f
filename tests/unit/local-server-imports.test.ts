import { build } from 'esbuild';

/**
 * What the local server's entry points load at run time (esbuild follows every import that is not
 * type-only, as Node would): no Tracer and no X-Ray SDK (whose import alone installs a global async
 * hook that every request pays for), nor the Lambda functions' Powertools objects.
 */
async function inputsOf(entry: string): Promise<string[]> {
  const result = await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', write: false, metafile: true, logLevel: 'silent' });
  return Object.keys(result.metafile.inputs);
}

describe('the local server loads no tracing', () => {
  it.each(['src/local/main.ts', 'demo/main.ts'])('%s imports neither Powertools Tracer, the X-Ray SDK nor src/observability.ts', async (entry) => {
    const inputs = await inputsOf(entry);
    expect(inputs).toContain('src/local/server.ts');
    expect(inputs.filter((p) => /@aws-lambda-powertools\/(tracer|logger|metrics)|aws-xray-sdk|src\/observability\.ts/.test(p))).toEqual([]);
  });

  it.each(['src/local/main.ts', 'src/composition.ts', 'src/handlers/speke.ts', 'src/handlers/clearkey-license.ts'])(
    '%s loads nothing of the demo (demo/ is its own part)',
    async (entry) => {
      const inputs = await inputsOf(entry);
      expect(inputs.filter((p) => p.startsWith('demo/'))).toEqual([]);
    },
  );

  it('demo/main.ts serves the demo through the local server', async () => {
    const inputs = await inputsOf('demo/main.ts');
    expect(inputs).toEqual(expect.arrayContaining(['src/local/server.ts', 'src/local/listen.ts', 'demo/demo-routes.ts']));
  });

  it('while the Lambda entry point does (tracing stays available there)', async () => {
    const inputs = await inputsOf('src/handlers/speke.ts');
    expect(inputs.some((p) => p.includes('@aws-lambda-powertools/tracer'))).toBe(true);
    expect(inputs.some((p) => p.includes('aws-xray-sdk-core'))).toBe(true);
  });
});
