import { viewCpix, isCpixRoot, type CpixDocument } from '../cpix/document.js';
import { decodeUtf8, readXml } from '../cpix/read.js';
import { writeXml } from '../cpix/write.js';
import { removeAttr, setAttr } from '../cpix/xml-tree.js';
import { NO_PROTECTION_LEVELS, type ProtectionLevels } from '../drm/protection-levels.js';
import type { DrmRegistry } from '../drm/registry.js';
import type { ContentKeyDeriver } from '../keys/content-key-deriver.js';
import { grantsToRecord, type KeyGrant } from '../keys/key-grant.js';
import { keyUrl } from '../keys/key-location.js';
import { MalformedRequestError, PayloadTooLargeError } from '../errors.js';
import { fillDrmSystem } from './fill-drm-system.js';
import { setKeyData } from './key-data.js';
import type { Limits } from './limits.js';
import { validateV1 } from './validate-v1.js';
import { validateV2 } from './validate-v2.js';
import type { ValidatedRequest } from './validated-request.js';
import { removeV1OnlyMarkup } from './v1-only-markup.js';
import { isV2, spekeVersion, type SpekeVersion } from './version.js';
import type { ContentKeyProtection, DocumentProtection } from './content-key-protection.js';
import { signalProtectionLevels } from './protection-signalling.js';
import { required } from '../required.js';
import { refuseSharedPublishedKeys } from './shared-keys.js';

/** What the core needs, all passed in: it reads no environment, clock or network of its own. */
export interface CoreContext {
  registry: DrmRegistry;
  limits: Limits;
  /** Prefix of AES-128 key URLs: `<prefix>/<content ID>/<kid>`. */
  keyUrlPrefix: string;
  /** Value of the (X-)Speke-User-Agent response header. */
  userAgent: string;
  /** Writes the Data of every ContentKey: clear, or encrypted when the request has a DeliveryDataList. */
  protection: ContentKeyProtection;
  /** HDCP, robustness and allowed-CPC settings signalled in SPEKE v2.1 answers (none when absent). */
  protectionLevels?: ProtectionLevels;
  /** SPEKE_CLEARKEY_ALLOW_SHARED_KEYS: a KID may be asked for an AES-128 system and a DRM system at once (its key is then published). */
  allowSharedKeys?: boolean;
}

export interface CpixRequest {
  body: Uint8Array;
  /** The X-Speke-Version header as received, undefined when absent. */
  spekeVersionHeader: string | undefined;
}

/** A key a player fetches from its key URL: published to the key store before the answer leaves. */
export interface KeyToPublish {
  contentId: string;
  kid: string;
  key: Buffer;
}

export interface CpixAnswer {
  headers: Record<string, string>;
  body: string;
  keysToPublish: KeyToPublish[];
  /** KIDs issued for ClearKey use: recorded (with the time) in the same step that publishes keys. */
  grants: Omit<KeyGrant, 'issuedAt'>[];
}

/** Facts about a request for the log line, filled in as the core learns them; never key material. */
export interface RequestFacts {
  spekeVersion?: SpekeVersion;
  contentId?: string;
  keyCount?: number;
  systemIds?: string[];
  encrypted?: boolean;
}

/** A validated request with the way its content keys will be written (clear, or encrypted for its recipients). */
export interface PreparedRequest extends ValidatedRequest {
  protection: DocumentProtection;
}

/**
 * Step 1 of an answer: read the body (namespace-aware), validate it for its SPEKE version and check
 * its DeliveryData certificates. Throws typed 4xx errors; needs no key material, so a bad request
 * costs no secret lookup.
 */
export function readCpixRequest(request: CpixRequest, context: CoreContext, facts: RequestFacts = {}): PreparedRequest {
  return validateCpixRequest(parseCpixRequest(request, context, facts), context, facts);
}

/** A request body read into a CPIX document, with the SPEKE version its header asks for. */
export interface ParsedRequest {
  spekeVersion: SpekeVersion;
  document: CpixDocument;
}

/** Stage 1a: SPEKE version, size limit, UTF-8, XML (namespace-resolved) and the CPIX root. */
export function parseCpixRequest(request: CpixRequest, context: CoreContext, facts: RequestFacts = {}): ParsedRequest {
  const version = spekeVersion(request.spekeVersionHeader);
  facts.spekeVersion = version;
  if (request.body.byteLength > context.limits.maxBodyBytes) {
    throw new PayloadTooLargeError(`Body is larger than ${context.limits.maxBodyBytes} bytes`);
  }
  const root = readXml(decodeUtf8(request.body));
  if (!isCpixRoot(root)) {
    throw new MalformedRequestError('Not a CPIX document: the root element must be CPIX in namespace urn:dashif:org:cpix');
  }
  return { spekeVersion: version, document: viewCpix(root) };
}

/** Stage 1b: the rules of the request's SPEKE version, then its DeliveryData certificates. */
export function validateCpixRequest(parsed: ParsedRequest, context: CoreContext, facts: RequestFacts = {}): PreparedRequest {
  const { document } = parsed;
  const validated =
    parsed.spekeVersion === 'v1'
      ? validateV1(document, context.registry, context.limits)
      : validateV2(document, context.registry, context.limits, parsed.spekeVersion);
  if (context.allowSharedKeys !== true) refuseSharedPublishedKeys(validated.drmSystems);
  facts.contentId = validated.contentId;
  facts.keyCount = validated.contentKeys.length;
  facts.systemIds = [...new Set(validated.drmSystems.map((d) => d.system.systemId))];
  facts.encrypted = document.deliveryDataList !== undefined;
  return { ...validated, protection: context.protection.prepare(document) };
}

/**
 * Step 2: derive keys and IVs → DRM signalling per DRMSystem → clear or encrypted key data →
 * render. Pure apart from the randomness the protection step draws through the context.
 */
export function answerCpix(request: PreparedRequest, context: CoreContext, deriver: ContentKeyDeriver, spekeVersionHeader?: string): CpixAnswer {
  const derived = deriveKeys(request, deriver);
  const keysToPublish = signalDrmSystems(request, context, derived);
  writeKeyData(request, derived);
  if (request.spekeVersion === 'v2.1') signalProtectionLevels(request, context.protectionLevels ?? NO_PROTECTION_LEVELS);
  const grants = grantsToRecord(
    request.contentId,
    request.contentKeys.map((k) => ({ kid: k.kid, kidAsSent: k.kidAsSent })),
    request.drmSystems.map((d) => ({ kid: d.kid, systemId: d.system.systemId })),
  );
  const { headers, body } = renderAnswer(request, context, spekeVersionHeader);
  return { headers, body, keysToPublish, grants };
}

/** The content key and IV of every ContentKey, by canonical KID. */
export interface DerivedKeys {
  keys: Map<string, Buffer>;
  ivs: Map<string, Buffer | undefined>;
}

/**
 * Stage 2a: one content key per ContentKey, and an IV where a requested system needs one and the
 * request sent none (written into the ContentKey as explicitIV).
 */
export function deriveKeys(request: PreparedRequest, deriver: ContentKeyDeriver): DerivedKeys {
  const keys = new Map<string, Buffer>();
  const ivs = new Map<string, Buffer | undefined>();
  const needsIv = new Set(request.drmSystems.filter((d) => d.system.needsIv).map((d) => d.kid));
  for (const key of request.contentKeys) {
    keys.set(key.kid, deriver.contentKey(key.kid, key.kidAsSent));
    let iv = key.explicitIV;
    if (iv === undefined && needsIv.has(key.kid)) {
      iv = deriver.iv(key.kid, key.kidAsSent);
      setAttr(key.entry.element, 'explicitIV', iv.toString('base64'));
    }
    ivs.set(key.kid, iv);
  }
  return { keys, ivs };
}

/** Stage 2b: each DRMSystem filled by its DRM module. Returns the keys players fetch (AES-128). */
export function signalDrmSystems(request: PreparedRequest, context: CoreContext, derived: DerivedKeys): KeyToPublish[] {
  const { contentId } = request;
  const { keys, ivs } = derived;
  const keysToPublish: KeyToPublish[] = [];
  const published = new Set<string>();
  const schemes = new Map(request.contentKeys.map((k) => [k.kid, k.scheme]));
  // `<prefix>/<content ID>/` once per request; each DRMSystem appends its KID.
  const keyUrlBase = keyUrl(context.keyUrlPrefix, contentId, '');
  for (const drm of request.drmSystems) {
    const key = required(keys.get(drm.kid), 'the key of a DRMSystem KID');
    const url = keyUrlBase + drm.kid;
    const signalling = drm.system.signal({
      contentId,
      kid: drm.kid,
      key,
      iv: ivs.get(drm.kid),
      scheme: schemes.get(drm.kid),
      keyUrl: url,
    });
    fillDrmSystem(drm.entry.element, signalling, { spekeVersion: request.spekeVersion, kid: drm.kid, systemId: drm.system.systemId });
    if (drm.system.publishesKey && !published.has(drm.kid)) {
      published.add(drm.kid);
      keysToPublish.push({ contentId, kid: drm.kid, key });
    }
  }
  return keysToPublish;
}

/** Stage 2c: the Data of every ContentKey, clear or encrypted, then whatever the protection completes (DeliveryData). */
export function writeKeyData(request: PreparedRequest, derived: DerivedKeys): void {
  const protect = request.protection;
  for (const key of request.contentKeys) setKeyData(key.entry.element, protect.secret(required(derived.keys.get(key.kid), 'the derived key')));
  protect.finish();
}

/** Stage 2d: response headers and the rendered document. */
export function renderAnswer(request: PreparedRequest, context: CoreContext, spekeVersionHeader?: string): Pick<CpixAnswer, 'headers' | 'body'> {
  const { root } = request.document;
  if (isV2(request.spekeVersion)) {
    removeAttr(root, 'id');
    removeV1OnlyMarkup(root);
  }
  const headers: Record<string, string> =
    request.spekeVersion === 'v1'
      ? { 'Content-Type': 'application/xml', 'Speke-User-Agent': context.userAgent }
      : {
          'Content-Type': 'application/xml',
          'X-Speke-User-Agent': context.userAgent,
          'X-Speke-Version': spekeVersionHeader ?? (request.spekeVersion === 'v2.1' ? '2.1' : '2.0'),
        };
  return { headers, body: writeXml(root) };
}
