// node scripts/make-events.mjs — writes the API Gateway REST proxy events in events/ from the CPIX
// requests below (and one ClearKey license request). The events are committed; edit a request here
// and re-run rather than editing the JSON by hand. events/README.md says what each one shows and
// the status it is answered with.
import { writeFile } from 'node:fs/promises';

const NS = 'xmlns:cpix="urn:dashif:org:cpix" xmlns:pskc="urn:ietf:params:xml:ns:keyprov:pskc"';
const SPEKE_NS = 'xmlns:speke="urn:aws:amazon:com:speke"';
const DS_NS = 'xmlns:ds="http://www.w3.org/2000/09/xmldsig#"';
const SYSTEM = {
  hlsAes128: '81376844-f976-481e-a84e-cc25d39b0b33',
  clearKeyAes128: '3ea8778f-7742-4bf9-b18b-e834b2acbd47',
  widevine: 'edef8ba9-79d6-4ace-a3c8-27dcd51d21ed',
  playready: '9a04f079-9840-4286-ab92-e65be0885f95',
  fairplay: '94ce86fb-07ff-4f43-adb8-93d2fa968ca2',
};

/**
 * Self-signed 2048-bit RSA certificate (SHA-512 signature, valid 2025-2125, key usage
 * keyEncipherment), the kind MediaPackage sends when a certificate ARN is configured. Its private
 * key was discarded: the events only need the public key.
 */
const DELIVERY_CERTIFICATE =
  'MIIDLDCCAhSgAwIBAgIBATANBgkqhkiG9w0BAQ0FADA4MTYwNAYDVQQDDC1zcGVrZS1rZXktc2VydmVyIGV4YW1wbGUgZGVsaXZlcnkgY2VydGlmaWNhdGUwIBcNMjUwMTAxMDAwMDAwWhgPMjEyNTAxMDEwMDAwMDBaMDgxNjA0BgNVBAMMLXNwZWtlLWtleS1zZXJ2ZXIgZXhhbXBsZSBkZWxpdmVyeSBjZXJ0aWZpY2F0ZTCCASIwDQYJKoZIhvcNAQEBBQADggEPADCCAQoCggEBAJ1fSWfKGnm3YTN6mb7az/OZ4VsBItGuYBC7vwb76XnHLmndoWctd4ou3VYfoczqvIbnjER9qNQCIXA3F9Uspl9vls1qsckGelY3RIqhSTNrfyew03SvrEbDBMGQdO/rDgPXg0SwWwPDLUdfzUVSWMXAZJiPnqKODMcctsHUUjsmaeBHDkTACSLPJ1FjVmjc4dbJcYKyWdXArnpJN+jljpYUGDQN3EqafSLX6tWeuOxJ/oCAykTqpF+J224NRkDnmo3Ly8L1TPvjgJzyTbVt7AekTpTMgpKTlsnDVs1TEBXfEZxIRMagGCsXb0v+TmoRUGayx8zh8H2RfiPaZUqFiOcCAwEAAaM/MD0wDAYDVR0TAQH/BAIwADAOBgNVHQ8BAf8EBAMCBaAwHQYDVR0OBBYEFLm0ntkRKL9NX6UrAxcZKh6vjb0HMA0GCSqGSIb3DQEBDQUAA4IBAQBBopEplQqOaHEYL1tNaxWL0oSZuMzBGtZcZNlOPIJqIzvVmVC52FR/1KmNxa0RPO/3wvyJ70AQDFkqpFMm47DJR1GfMwZRNTta2oKCEUyyVJ4GvC1PGzn3Xu72TJj1tiQPlns9sN1zPpXTNh28UIB5HF1B5+Em5dTg76YecB/+nb9LBXnZE7872afrNlrB90uLyaoDYXmzu1Mcjd9hJuNufZAkmVZcF61YMfcy6c3y4nlc+Bwc2EcXvfhnR/zkdbYRPrYDpCB/xyHl9vDFFjHXShaZmvXhU28rtEdeHoENXtzFPLwA6z78Fnniypg6nIcuqffFMYwqhGHwOgkWNKkU';

// --- SPEKE v1 -------------------------------------------------------------------------------

/** MediaPackage v1, live HLS with AES-128 and key rotation (every child element, as some encryptors send). */
const v1LiveHlsAes128 = `<?xml version="1.0" encoding="UTF-8"?>
<cpix:CPIX id="live-channel-1" ${NS} ${SPEKE_NS}>
  <cpix:ContentKeyList>
    <cpix:ContentKey kid="6c5f5206-7d98-4808-84d8-94f132c1e9fe"></cpix:ContentKey>
  </cpix:ContentKeyList>
  <cpix:DRMSystemList>
    <cpix:DRMSystem kid="6c5f5206-7d98-4808-84d8-94f132c1e9fe" systemId="${SYSTEM.hlsAes128}">
      <cpix:ContentProtectionData />
      <speke:KeyFormat />
      <speke:KeyFormatVersions />
      <speke:ProtectionHeader />
      <cpix:PSSH />
      <cpix:URIExtXKey />
    </cpix:DRMSystem>
  </cpix:DRMSystemList>
  <cpix:ContentKeyPeriodList>
    <cpix:ContentKeyPeriod id="keyPeriod_e64248f6-f307-4b99-aa67-b05f5b1b1b6b" index="11425"/>
  </cpix:ContentKeyPeriodList>
  <cpix:ContentKeyUsageRuleList>
    <cpix:ContentKeyUsageRule kid="6c5f5206-7d98-4808-84d8-94f132c1e9fe">
      <cpix:KeyPeriodFilter periodId="keyPeriod_e64248f6-f307-4b99-aa67-b05f5b1b1b6b"/>
    </cpix:ContentKeyUsageRule>
  </cpix:ContentKeyUsageRuleList>
</cpix:CPIX>
`;

/** MediaPackage v1, live DASH with Widevine and PlayReady and key rotation. */
const v1DashWidevinePlayReady = `<?xml version="1.0" encoding="UTF-8"?>
<cpix:CPIX id="live-dash-channel-2" ${NS} ${SPEKE_NS}>
  <cpix:ContentKeyList>
    <cpix:ContentKey kid="98ee5596-cd3e-a20d-163a-e382420c6eff"></cpix:ContentKey>
  </cpix:ContentKeyList>
  <cpix:DRMSystemList>
    <cpix:DRMSystem kid="98ee5596-cd3e-a20d-163a-e382420c6eff" systemId="${SYSTEM.widevine}">
      <cpix:PSSH />
    </cpix:DRMSystem>
    <cpix:DRMSystem kid="98ee5596-cd3e-a20d-163a-e382420c6eff" systemId="${SYSTEM.playready}">
      <cpix:PSSH />
    </cpix:DRMSystem>
  </cpix:DRMSystemList>
  <cpix:ContentKeyPeriodList>
    <cpix:ContentKeyPeriod id="keyPeriod_0b6c6f4c-37a5-4d8b-9a52-1f6cf4b0e6a1" index="2871"/>
  </cpix:ContentKeyPeriodList>
  <cpix:ContentKeyUsageRuleList>
    <cpix:ContentKeyUsageRule kid="98ee5596-cd3e-a20d-163a-e382420c6eff">
      <cpix:KeyPeriodFilter periodId="keyPeriod_0b6c6f4c-37a5-4d8b-9a52-1f6cf4b0e6a1"/>
    </cpix:ContentKeyUsageRule>
  </cpix:ContentKeyUsageRuleList>
</cpix:CPIX>
`;

/** MediaConvert v1, VOD HLS with FairPlay (SAMPLE-AES): no key periods, no explicitIV sent. */
const v1HlsFairPlay = `<?xml version="1.0" encoding="UTF-8"?>
<cpix:CPIX id="vod-title-0042" ${NS} ${SPEKE_NS}>
  <cpix:ContentKeyList>
    <cpix:ContentKey kid="2a6f3b1e-5c4d-4e8f-9a0b-1c2d3e4f5a6b"></cpix:ContentKey>
  </cpix:ContentKeyList>
  <cpix:DRMSystemList>
    <cpix:DRMSystem kid="2a6f3b1e-5c4d-4e8f-9a0b-1c2d3e4f5a6b" systemId="${SYSTEM.fairplay}">
      <cpix:URIExtXKey />
      <speke:KeyFormat />
      <speke:KeyFormatVersions />
    </cpix:DRMSystem>
  </cpix:DRMSystemList>
</cpix:CPIX>
`;

// --- SPEKE v2 -------------------------------------------------------------------------------

const HLS_PAIR = '<cpix:HLSSignalingData playlist="media"/><cpix:HLSSignalingData playlist="master"/>';

/**
 * A v2 document: one ContentKey per key, a DRMSystem per (key, system), the usage rules (the
 * encryption contract), and optionally one key period (MediaPackage v2 live sends a single period),
 * or, with `periods`, the given ContentKeyPeriods (id plus attributes), every rule filtering on all
 * of them. `version` is CPIX@version: 2.3 for SPEKE 2.0, 2.4 for SPEKE 2.1.
 */
function v2Document({ contentId, scheme, keys, systems, period, periods, version = '2.3', deliveryData = '', namespaces = NS }) {
  const periodList = periods ?? (period ? [{ id: period, attributes: 'index="0"' }] : []);
  const keyList = keys.map(
    (k) => `    <cpix:ContentKey kid="${k.kid}" commonEncryptionScheme="${scheme}"${k.explicitIV ? ` explicitIV="${k.explicitIV}"` : ''}/>`,
  );
  const drmList = keys.flatMap((k) => systems.map((s) => `    <cpix:DRMSystem kid="${k.kid}" systemId="${s.systemId}">${s.children}</cpix:DRMSystem>`));
  const periodFilter = periodList.map((p) => `<cpix:KeyPeriodFilter periodId="${p.id}"/>`).join('');
  const rules = keys.map(
    (k) => `    <cpix:ContentKeyUsageRule kid="${k.kid}" intendedTrackType="${k.trackType}">${periodFilter}${k.filters}</cpix:ContentKeyUsageRule>`,
  );
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<cpix:CPIX contentId="${contentId}" version="${version}" ${namespaces}>`,
    ...(deliveryData ? [deliveryData] : []),
    '  <cpix:ContentKeyList>',
    ...keyList,
    '  </cpix:ContentKeyList>',
    '  <cpix:DRMSystemList>',
    ...drmList,
    '  </cpix:DRMSystemList>',
    ...(periodList.length > 0
      ? [
          '  <cpix:ContentKeyPeriodList>',
          ...periodList.map((p) => `    <cpix:ContentKeyPeriod id="${p.id}" ${p.attributes}/>`),
          '  </cpix:ContentKeyPeriodList>',
        ]
      : []),
    '  <cpix:ContentKeyUsageRuleList>',
    ...rules,
    '  </cpix:ContentKeyUsageRuleList>',
    '</cpix:CPIX>',
    '',
  ].join('\n');
}

const WIDEVINE_DASH_HLS = { systemId: SYSTEM.widevine, children: `<cpix:PSSH/><cpix:ContentProtectionData/>${HLS_PAIR}` };
const PLAYREADY_DASH_HLS = { systemId: SYSTEM.playready, children: `<cpix:PSSH/><cpix:ContentProtectionData/>${HLS_PAIR}` };
const FAIRPLAY_HLS = { systemId: SYSTEM.fairplay, children: HLS_PAIR };
const WIDEVINE_DASH = { systemId: SYSTEM.widevine, children: '<cpix:PSSH/><cpix:ContentProtectionData/>' };
const PLAYREADY_DASH = { systemId: SYSTEM.playready, children: '<cpix:PSSH/><cpix:ContentProtectionData/>' };

/**
 * MediaPackage v2, live CMAF (HLS and DASH manifests): PRESET-VIDEO-1 + PRESET-AUDIO-1, cbcs,
 * Widevine + PlayReady + FairPlay, explicitIV sent with each key, one period whose id is a bare
 * UUID starting with a digit (not an xs:ID, as captured from MediaPackage v2).
 */
const v2LiveCmaf = v2Document({
  contentId: 'live-cmaf-channel-4',
  scheme: 'cbcs',
  period: '3f2c1d0e-9b8a-4c7d-8e6f-5a4b3c2d1e0f',
  keys: [
    { kid: '0e4f9c3a-1b2d-4c5e-8f6a-7b8c9d0e1f2a', explicitIV: 'AAECAwQFBgcICQoLDA0ODw==', trackType: 'VIDEO', filters: '<cpix:VideoFilter/>' },
    { kid: '1f5a0d4b-2c3e-4d6f-9a7b-8c9d0e1f2a3b', explicitIV: 'EBESExQVFhcYGRobHB0eHw==', trackType: 'AUDIO', filters: '<cpix:AudioFilter/>' },
  ],
  systems: [WIDEVINE_DASH_HLS, PLAYREADY_DASH_HLS, FAIRPLAY_HLS],
});

/**
 * MediaConvert v2, VOD DASH: PRESET_VIDEO_3 (SD / HD / UHD by pixel count) + PRESET_AUDIO_2
 * (stereo / multichannel), cenc, Widevine + PlayReady; no key periods.
 */
const v2VodPresets = v2Document({
  contentId: 'vod-title-0777',
  scheme: 'cenc',
  keys: [
    { kid: 'a1b2c3d4-0001-4000-8000-000000000001', trackType: 'SD', filters: '<cpix:VideoFilter maxPixels="589824"/>' },
    { kid: 'a1b2c3d4-0002-4000-8000-000000000002', trackType: 'HD', filters: '<cpix:VideoFilter minPixels="589825" maxPixels="2073600"/>' },
    { kid: 'a1b2c3d4-0003-4000-8000-000000000003', trackType: 'UHD', filters: '<cpix:VideoFilter minPixels="2073601"/>' },
    { kid: 'a1b2c3d4-0004-4000-8000-000000000004', trackType: 'STEREO_AUDIO', filters: '<cpix:AudioFilter maxChannels="2"/>' },
    { kid: 'a1b2c3d4-0005-4000-8000-000000000005', trackType: 'MULTICHANNEL_AUDIO', filters: '<cpix:AudioFilter minChannels="3"/>' },
  ],
  systems: [WIDEVINE_DASH, PLAYREADY_DASH],
});

/** MediaPackage v2, live TS with ClearKey AES-128: SHARED preset (one key, ALL), cbc1. */
const CLEARKEY_CONTENT = { contentId: 'live-ts-channel-3', kid: '5b8a7c6d-4e3f-4a2b-9c1d-0e1f2a3b4c5d' };
const v2ClearKeyAes128 = v2Document({
  contentId: CLEARKEY_CONTENT.contentId,
  scheme: 'cbc1',
  period: '7d3e2f1a-0b9c-4d8e-a7f6-e5d4c3b2a190',
  keys: [{ kid: CLEARKEY_CONTENT.kid, trackType: 'ALL', filters: '<cpix:VideoFilter/><cpix:AudioFilter/>' }],
  systems: [{ systemId: SYSTEM.clearKeyAes128, children: HLS_PAIR }],
});

/**
 * MediaPackage v2 live with a certificate ARN configured: a DeliveryDataList asks for the content
 * keys encrypted to that certificate (SHARED preset, cenc, Widevine + PlayReady).
 */
const v2EncryptedAnswer = v2Document({
  contentId: 'live-encrypted-channel-5',
  scheme: 'cenc',
  period: '0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f',
  namespaces: `${NS} ${DS_NS}`,
  deliveryData: [
    '  <cpix:DeliveryDataList>',
    '    <cpix:DeliveryData id="mediapackage-delivery">',
    `      <cpix:DeliveryKey><ds:X509Data><ds:X509Certificate>${DELIVERY_CERTIFICATE}</ds:X509Certificate></ds:X509Data></cpix:DeliveryKey>`,
    '    </cpix:DeliveryData>',
    '  </cpix:DeliveryDataList>',
  ].join('\n'),
  keys: [{ kid: '8e9f0a1b-2c3d-4e5f-8a6b-7c8d9e0f1a2b', trackType: 'ALL', filters: '<cpix:VideoFilter/><cpix:AudioFilter/>' }],
  systems: [WIDEVINE_DASH, PLAYREADY_DASH],
});

// --- SPEKE v2.1 (CPIX 2.4) -------------------------------------------------------------------

/**
 * MediaPackage v2 live CMAF with SPEKE 2.1 and key rotation every 6 s, ContentKeyPeriodTiming
 * INDEX_WITH_START_END: one request per rotation, for the coming period (index, start and end as
 * MediaPackage sends them), with the KIDs of that period. The next rotation asks for index 11426,
 * 00:00:06 to 00:00:12, with new KIDs; two redundant encryptors in two regions send the same request
 * and get the same keys (docs/deploy-sam.md "Keys that are the same across regions").
 */
const v21LiveRotation = v2Document({
  contentId: 'live-cmaf-channel-21',
  scheme: 'cbcs',
  version: '2.4',
  periods: [{ id: 'keyPeriod_0909829f-40ff-4625-90fa-75da3e53278f', attributes: 'index="11425" start="2026-01-15T12:00:00Z" end="2026-01-15T12:00:06Z"' }],
  keys: [
    { kid: '21a0c1d2-e3f4-4a5b-8c6d-7e8f90a1b2c3', trackType: 'VIDEO', filters: '<cpix:VideoFilter/>' },
    { kid: '21b1d2e3-f4a5-4b6c-9d7e-8f90a1b2c3d4', trackType: 'AUDIO', filters: '<cpix:AudioFilter/>' },
  ],
  systems: [WIDEVINE_DASH_HLS, PLAYREADY_DASH_HLS, FAIRPLAY_HLS],
});

/**
 * SPEKE 2.1 VOD with key periods as offsets into the title (xs:duration): the first 30 s and the
 * rest up to 10 min, PRESET-VIDEO-2 (SD / HD) + PRESET-AUDIO-1, SAMPLE-AES (the HLS method, as
 * cbcs in fMP4), Widevine + PlayReady + FairPlay. Which AWS service sends offsets is not documented;
 * the shape follows the CPIX 2.4 types.
 */
const v21VodOffsets = v2Document({
  contentId: 'vod-title-2100',
  scheme: 'SAMPLE-AES',
  version: '2.4',
  periods: [
    { id: 'vod_period_0', attributes: 'index="0" startOffset="PT0S" endOffset="PT30S"' },
    { id: 'vod_period_1', attributes: 'index="1" startOffset="PT30S" endOffset="PT10M"' },
  ],
  keys: [
    { kid: '21c2e3f4-a5b6-4c7d-8e8f-90a1b2c3d4e5', trackType: 'SD', filters: '<cpix:VideoFilter maxPixels="589824"/>' },
    { kid: '21d3f4a5-b6c7-4d8e-9f90-a1b2c3d4e5f6', trackType: 'HD', filters: '<cpix:VideoFilter minPixels="589825"/>' },
    { kid: '21e4a5b6-c7d8-4e9f-a0a1-b2c3d4e5f6a7', trackType: 'AUDIO', filters: '<cpix:AudioFilter/>' },
  ],
  systems: [WIDEVINE_DASH_HLS, PLAYREADY_DASH_HLS, FAIRPLAY_HLS],
});

/** Not well-formed XML (the document is cut off): rejected before any key material is touched. */
const malformed = `<?xml version="1.0" encoding="UTF-8"?>
<cpix:CPIX contentId="broken-1" version="2.3" ${NS}>
  <cpix:ContentKeyList>
    <cpix:ContentKey kid="4d3c2b1a-0f9e-4d8c-b7a6-958473625140" commonEncryptionScheme="cbcs"
`;

// --- API Gateway REST proxy envelope ----------------------------------------------------------

const API_ID = 'a1b2c3d4e5';
const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const STAGE = 'speke';

/**
 * The event API Gateway (REST API, Lambda proxy integration) gives the function for a SigV4-signed
 * POST /copyProtection from MediaPackage or MediaConvert (assumed-role credentials). Identifiers
 * are made up; the signature is not checked by the function (API Gateway did that).
 */
function restEvent({ n, body, caller, spekeVersion, base64 = false }) {
  const time = Date.UTC(2026, 0, 15, 12, 0, n);
  const amzDate = new Date(time)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const requestId = `c0ffee00-0000-4000-8000-${String(n).padStart(12, '0')}`;
  const session = caller === 'MediaConvert' ? 'MediaConvertJob' : 'MediaPackageSpeke';
  const headers = {
    Authorization: `AWS4-HMAC-SHA256 Credential=ASIAIOSFODNN7EXAMPLE/${amzDate.slice(0, 8)}/${REGION}/execute-api/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token${spekeVersion ? ';x-speke-version' : ''}, Signature=${'0123456789abcdef'.repeat(4)}`,
    'Content-Type': 'application/xml',
    Host: `${API_ID}.execute-api.${REGION}.amazonaws.com`,
    'User-Agent': caller === 'MediaConvert' ? 'AWSElementalMediaConvert' : 'AWSElementalMediaPackage',
    'X-Amz-Date': amzDate,
    'X-Amz-Security-Token': 'IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKEN',
    'X-Amzn-Trace-Id': `Root=1-${(time / 1000).toString(16)}-0123456789abcdef01234567`,
    'X-Forwarded-For': '203.0.113.10',
    'X-Forwarded-Port': '443',
    'X-Forwarded-Proto': 'https',
    ...(spekeVersion ? { 'X-Speke-Version': spekeVersion } : {}),
  };
  return {
    resource: '/copyProtection',
    path: '/copyProtection',
    httpMethod: 'POST',
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    requestContext: {
      resourceId: 'x1y2z3',
      resourcePath: '/copyProtection',
      httpMethod: 'POST',
      extendedRequestId: `Ex${String(n).padStart(6, '0')}=`,
      requestTime: new Date(time).toUTCString(),
      path: `/${STAGE}/copyProtection`,
      accountId: ACCOUNT,
      protocol: 'HTTP/1.1',
      stage: STAGE,
      domainPrefix: API_ID,
      requestTimeEpoch: time,
      requestId,
      identity: {
        cognitoIdentityPoolId: null,
        accountId: ACCOUNT,
        cognitoIdentityId: null,
        caller: `AROAEXAMPLEROLEID:${session}`,
        sourceIp: '203.0.113.10',
        principalOrgId: null,
        accessKey: 'ASIAIOSFODNN7EXAMPLE',
        cognitoAuthenticationType: null,
        cognitoAuthenticationProvider: null,
        userArn: `arn:aws:sts::${ACCOUNT}:assumed-role/speke-key-server-${caller}Role-EXAMPLE/${session}`,
        userAgent: headers['User-Agent'],
        user: `AROAEXAMPLEROLEID:${session}`,
      },
      domainName: `${API_ID}.execute-api.${REGION}.amazonaws.com`,
      apiId: API_ID,
    },
    body: base64 ? Buffer.from(body, 'utf8').toString('base64') : body,
    isBase64Encoded: base64,
  };
}

/**
 * The event API Gateway gives the ClearKey license function for a browser's EME license request
 * (W3C ClearKey, Encrypted Media Extensions §9.1.3): POST /clearkey/license?contentId=<id> from a
 * player page, unsigned (the route has no authorizer), with the KIDs as base64url in a JSON body.
 * Same content ID and KID as v2-clearkey-aes128.json, so the license carries that answer's key.
 */
function licenseEvent({ n, contentId, kids }) {
  const time = Date.UTC(2026, 0, 15, 12, 0, n);
  const requestId = `c0ffee00-0000-4000-8000-${String(n).padStart(12, '0')}`;
  const base64url = (uuid) => Buffer.from(uuid.replace(/-/g, ''), 'hex').toString('base64url');
  const userAgent = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36';
  const headers = {
    Accept: '*/*',
    'Content-Type': 'application/json',
    Host: `${API_ID}.execute-api.${REGION}.amazonaws.com`,
    Origin: 'https://player.example.com',
    Referer: 'https://player.example.com/',
    'User-Agent': userAgent,
    'X-Amzn-Trace-Id': `Root=1-${(time / 1000).toString(16)}-0123456789abcdef01234567`,
    'X-Forwarded-For': '198.51.100.23',
    'X-Forwarded-Port': '443',
    'X-Forwarded-Proto': 'https',
  };
  return {
    resource: '/clearkey/license',
    path: '/clearkey/license',
    httpMethod: 'POST',
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: { contentId },
    multiValueQueryStringParameters: { contentId: [contentId] },
    pathParameters: null,
    stageVariables: null,
    requestContext: {
      resourceId: 'l1c2k3',
      resourcePath: '/clearkey/license',
      httpMethod: 'POST',
      extendedRequestId: `Ex${String(n).padStart(6, '0')}=`,
      requestTime: new Date(time).toUTCString(),
      path: `/${STAGE}/clearkey/license`,
      accountId: ACCOUNT,
      protocol: 'HTTP/1.1',
      stage: STAGE,
      domainPrefix: API_ID,
      requestTimeEpoch: time,
      requestId,
      // No authorizer on this route: an anonymous caller, known only by address and user agent.
      identity: {
        cognitoIdentityPoolId: null,
        accountId: null,
        cognitoIdentityId: null,
        caller: null,
        sourceIp: '198.51.100.23',
        principalOrgId: null,
        accessKey: null,
        cognitoAuthenticationType: null,
        cognitoAuthenticationProvider: null,
        userArn: null,
        userAgent,
        user: null,
      },
      domainName: `${API_ID}.execute-api.${REGION}.amazonaws.com`,
      apiId: API_ID,
    },
    body: JSON.stringify({ kids: kids.map(base64url), type: 'temporary' }),
    isBase64Encoded: false,
  };
}

const EVENTS = {
  // Base64 as API Gateway passes it when the API has binary media types such as */*.
  'v1-live-hls-aes128-rotation.json': restEvent({ n: 1, body: v1LiveHlsAes128, caller: 'MediaPackage', base64: true }),
  'v1-dash-widevine-playready.json': restEvent({ n: 2, body: v1DashWidevinePlayReady, caller: 'MediaPackage' }),
  'v1-hls-fairplay.json': restEvent({ n: 3, body: v1HlsFairPlay, caller: 'MediaConvert' }),
  'v2-live-cmaf-widevine-playready-fairplay.json': restEvent({ n: 4, body: v2LiveCmaf, caller: 'MediaPackage', spekeVersion: '2.0' }),
  'v2-vod-presets-video3-audio2.json': restEvent({ n: 5, body: v2VodPresets, caller: 'MediaConvert', spekeVersion: '2.0' }),
  'v2-clearkey-aes128.json': restEvent({ n: 6, body: v2ClearKeyAes128, caller: 'MediaPackage', spekeVersion: '2.0' }),
  'v2-encrypted-answer.json': restEvent({ n: 7, body: v2EncryptedAnswer, caller: 'MediaPackage', spekeVersion: '2.0' }),
  'v2-malformed-request.json': restEvent({ n: 8, body: malformed, caller: 'MediaPackage', spekeVersion: '2.0' }),
  // A SPEKE version this server does not implement (neither 2.0 nor 2.1): refused with the specification's text.
  'v2-unsupported-speke-version.json': restEvent({ n: 9, body: v2ClearKeyAes128, caller: 'MediaPackage', spekeVersion: '2.2' }),
  'v21-live-cmaf-key-rotation.json': restEvent({ n: 11, body: v21LiveRotation, caller: 'MediaPackage', spekeVersion: '2.1' }),
  'v21-vod-offsets.json': restEvent({ n: 12, body: v21VodOffsets, caller: 'MediaConvert', spekeVersion: '2.1' }),
  // Runs through the clearkey-license bundle (scripts/invoke.mjs picks it by the route).
  'clearkey-license.json': licenseEvent({ n: 10, contentId: CLEARKEY_CONTENT.contentId, kids: [CLEARKEY_CONTENT.kid] }),
};

const dir = new URL('../events/', import.meta.url);
for (const [name, event] of Object.entries(EVENTS)) {
  await writeFile(new URL(name, dir), `${JSON.stringify(event, null, 2)}\n`);
  console.log(`wrote events/${name}`);
}
