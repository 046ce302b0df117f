import { readFileSync } from 'node:fs';
import { validateXML, type XMLValidationError } from 'xmllint-wasm';
import { answer } from '../support/core.js';
import { withDeliveryData } from '../support/encryption.js';
import { KID_A, KID_B, SYSTEM, v1Aes128, v2Request } from '../support/requests.js';

/**
 * Encrypted answers against the CPIX 2.3 schema (cpix.xsd importing pskc, xenc and xmldsig).
 * Fixture IDs (CPIX@id, ContentKeyPeriod@id, DeliveryData@id) are valid NCNames, because the schema
 * types them xs:ID; real MediaPackage IDs need not be (SPEKE.md §7.2), so requests are never
 * validated this way, only answers to requests that are valid themselves.
 * Note: MACMethod's `cpix:Key` (the CPIX/AWS element, SPEKE.md §4.3) passes through pskc:MACMethodType's
 * lax `##other` wildcard; no schema declares it, so what is inside it is not checked here (the
 * unit tests open it). RFC 6030's own `pskc:MACKey` would be xenc:EncryptedDataType without the
 * EncryptedValue wrapper.
 */
const SCHEMA_DIR = new URL('../fixtures/cpix-2.3/', import.meta.url);
const schemaFile = (name: string) => ({ fileName: name, contents: readFileSync(new URL(name, SCHEMA_DIR), 'utf8') });

async function schemaErrors(xml: string): Promise<string[]> {
  const result = await validateXML({
    xml: [{ fileName: 'answer.xml', contents: xml }],
    schema: [schemaFile('cpix.xsd')],
    preload: [schemaFile('pskc.xsd'), schemaFile('xenc-schema.xsd'), schemaFile('xmldsig-core-schema.xsd')],
  });
  return result.errors.map((e: XMLValidationError) => e.message);
}

const TWO_RECIPIENTS = [
  { id: 'recipient-1', certificate: 'rsa-2048' as const },
  { id: 'recipient-2', certificate: 'rsa-3072' as const },
];

/** v1 live HLS AES-128 with the DRMSystem children in schema order (cpix elements before the speke ones). */
const V1_IN_SCHEMA_ORDER = v1Aes128().replace(
  /<cpix:DRMSystem ([^>]*)>[\s\S]*?<\/cpix:DRMSystem>/,
  '<cpix:DRMSystem $1><cpix:URIExtXKey/><speke:KeyFormat/><speke:KeyFormatVersions/></cpix:DRMSystem>',
);

const V2_TWO_KEYS = v2Request({
  periods: true,
  keys: [
    { kid: KID_A, trackType: 'VIDEO', filter: '<cpix:VideoFilter/>' },
    { kid: KID_B, trackType: 'AUDIO', filter: '<cpix:AudioFilter/>' },
  ],
  systems: [
    { systemId: SYSTEM.commonPssh, children: '<cpix:PSSH/>' },
    { systemId: SYSTEM.clearKeyAes128, children: '<cpix:HLSSignalingData playlist="media"/><cpix:HLSSignalingData playlist="master"/>' },
  ],
});

describe('encrypted answers validate against the CPIX 2.3 schema', () => {
  it('v1 answer for two recipients', async () => {
    const body = answer(withDeliveryData(V1_IN_SCHEMA_ORDER, TWO_RECIPIENTS)).body;
    expect(body).toContain('EncryptedValue');
    expect(await schemaErrors(body)).toEqual([]);
  });

  it('v2 answer with two keys, two DRM systems, a key period and two recipients', async () => {
    const body = answer(withDeliveryData(V2_TWO_KEYS, TWO_RECIPIENTS), '2.0').body;
    expect(body).toContain('EncryptedValue');
    expect(await schemaErrors(body)).toEqual([]);
  });

  it('the validation is real: DocumentKey after MACMethod breaks the DeliveryData sequence', async () => {
    const body = answer(withDeliveryData(V2_TWO_KEYS), '2.0').body;
    const documentKey = /<cpix:DocumentKey[\s\S]*?<\/cpix:DocumentKey>\s*/.exec(body)![0];
    const misordered = body.replace(documentKey, '').replace('</cpix:MACMethod>', `</cpix:MACMethod>${documentKey}`);
    expect(await schemaErrors(misordered)).toEqual([expect.stringContaining('MACMethod')]);
  });
});
