import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateXML } from 'xmllint-wasm';

/** shared/schema/cpix-2.3, beside the project root (as on developer machines and in CI). */
export const SCHEMA_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared', 'schema', 'cpix-2.3');

const FILES = ['cpix.xsd', 'pskc.xsd', 'xenc-schema.xsd', 'xmldsig-core-schema.xsd'];

/**
 * Validates a CPIX document against the CPIX 2.3 schema with libxml2 (xmllint compiled to wasm):
 * no network, no native tool. Returns libxml2's error messages; empty means valid.
 */
export async function cpixSchemaErrors(xml: string): Promise<string[]> {
  const [main, ...rest] = await Promise.all(FILES.map(async (f) => ({ fileName: f, contents: await readFile(join(SCHEMA_DIR, f), 'utf8') })));
  const result = await validateXML({ xml: [{ fileName: 'answer.xml', contents: xml }], schema: [main!], preload: rest });
  return result.errors.map((e) => e.rawMessage);
}
