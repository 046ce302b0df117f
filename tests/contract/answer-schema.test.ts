import { answer } from '../support/core.js';
import { cpixSchemaErrors } from '../support/cpix-schema.js';
import { KID_A, KID_B, SYSTEM, v2Request } from '../support/requests.js';

/**
 * Answers to valid requests must validate against the CPIX 2.3 schema. The requests use ids that
 * are valid xs:IDs (the schema types CPIX@id and ContentKeyPeriod@id as xs:ID; real traffic may not).
 */
const CLEARKEY = { systemId: SYSTEM.clearKeyAes128, children: '<cpix:HLSSignalingData playlist="media"/><cpix:HLSSignalingData playlist="master"/>' };

describe('answers validate against the CPIX 2.3 schema', () => {
  it('v1 HLS AES-128 with a key period', async () => {
    const body = `<?xml version="1.0" encoding="UTF-8"?>
<cpix:CPIX id="channel_1" xmlns:cpix="urn:dashif:org:cpix" xmlns:speke="urn:aws:amazon:com:speke">
  <cpix:ContentKeyList><cpix:ContentKey kid="${KID_A}"/></cpix:ContentKeyList>
  <cpix:DRMSystemList><cpix:DRMSystem kid="${KID_A}" systemId="${SYSTEM.hlsAes128}"><cpix:URIExtXKey/><speke:KeyFormat/><speke:KeyFormatVersions/></cpix:DRMSystem></cpix:DRMSystemList>
  <cpix:ContentKeyPeriodList><cpix:ContentKeyPeriod id="keyPeriod_1" index="7"/></cpix:ContentKeyPeriodList>
  <cpix:ContentKeyUsageRuleList><cpix:ContentKeyUsageRule kid="${KID_A}"><cpix:KeyPeriodFilter periodId="keyPeriod_1"/></cpix:ContentKeyUsageRule></cpix:ContentKeyUsageRuleList>
</cpix:CPIX>`;
    expect(await cpixSchemaErrors(answer(body).body)).toEqual([]);
  });

  it('v1 common PSSH written with a default namespace', async () => {
    const body = `<CPIX xmlns="urn:dashif:org:cpix" id="vod_1"><ContentKeyList><ContentKey kid="${KID_A}"/></ContentKeyList><DRMSystemList><DRMSystem kid="${KID_A}" systemId="${SYSTEM.commonPssh}"><PSSH/><ContentProtectionData/></DRMSystem></DRMSystemList></CPIX>`;
    expect(await cpixSchemaErrors(answer(body).body)).toEqual([]);
  });

  it('v2 ClearKey AES-128, video and audio keys, with a period', async () => {
    const keys = [
      { kid: KID_A, trackType: 'VIDEO', filter: '<cpix:VideoFilter/>' },
      { kid: KID_B, trackType: 'AUDIO', filter: '<cpix:AudioFilter/>' },
    ];
    expect(await cpixSchemaErrors(answer(v2Request({ keys, periods: true, systems: [CLEARKEY], scheme: 'cbc1' }), '2.0').body)).toEqual([]);
  });

  it('the check itself rejects a document that breaks the schema', async () => {
    const broken = answer(v2Request({ systems: [CLEARKEY] }), '2.0').body.replace(/kid="98ee5596[^"]*"/, 'kid="not-a-uuid"');
    expect((await cpixSchemaErrors(broken)).length).toBeGreaterThan(0);
  });
});
