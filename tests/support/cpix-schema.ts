import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateXML } from 'xmllint-wasm';

/** The CPIX 2.3 schemas of tests/fixtures/cpix-2.3 (a copy of shared/schema/cpix-2.3; see its README). */
export const SCHEMA_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'cpix-2.3');
/** The CPIX 2.4 schema of tests/fixtures/cpix-2.4 (see its header); it imports the unchanged 2.3 pskc and xmldsig schemas. */
export const SCHEMA_24_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'cpix-2.4');

const FILES = ['cpix.xsd', 'pskc.xsd', 'xenc-schema.xsd', 'xmldsig-core-schema.xsd'];
const dirOf = (version: '2.3' | '2.4', file: string) => (version === '2.4' && file === 'cpix.xsd' ? SCHEMA_24_DIR : SCHEMA_DIR);

/**
 * Validates a CPIX document against the CPIX 2.3 (or 2.4) schema with libxml2 (xmllint compiled to
 * wasm): no network, no native tool. Returns libxml2's error messages; empty means valid.
 */
export async function cpixSchemaErrors(xml: string, version: '2.3' | '2.4' = '2.3'): Promise<string[]> {
  const [main, ...rest] = await Promise.all(FILES.map(async (f) => ({ fileName: f, contents: await readFile(join(dirOf(version, f), f), 'utf8') })));
  const result = await validateXML({ xml: [{ fileName: 'answer.xml', contents: xml }], schema: [main!], preload: rest });
  return result.errors.map((e) => e.rawMessage);
}
