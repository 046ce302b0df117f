import { existsSync, readdirSync, readFileSync } from 'node:fs';

/**
 * The three documents of the reference-server comparison (../shared/baseline/bodies, beside the
 * project root as on developer machines and in CI), as extra fixtures for the reader and renderer
 * identity tests; none outside that setup (a clone on its own), where the bench documents of the
 * same shapes still run. Under CI (CI=true), which always has ../shared beside the clone, a missing
 * folder is an error rather than a quietly skipped test.
 */
const BASELINE_BODIES = new URL('../../../shared/baseline/bodies/', import.meta.url);

export function baselineBodies(): { name: string; xml: string; spekeVersionHeader: string | undefined }[] {
  if (!existsSync(BASELINE_BODIES)) {
    if (process.env.CI === 'true') throw new Error(`CI=true and ${BASELINE_BODIES.pathname} is not there: CI runs with ../shared beside the clone`);
    return [];
  }
  return readdirSync(BASELINE_BODIES)
    .filter((n) => n.endsWith('.xml'))
    .sort()
    .map((name) => ({ name, xml: readFileSync(new URL(name, BASELINE_BODIES), 'utf8'), spekeVersionHeader: name.startsWith('v2') ? '2.0' : undefined }));
}
