import { NS } from '../cpix/namespaces.js';
import { childrenNamed, element, setAttr, text, type XmlElement } from '../cpix/xml-tree.js';
import { CPC_SYSTEMS, hdcpLevelFor, hdcpOutputProtection, systemSettingFor, type ProtectionLevels } from '../drm/protection-levels.js';
import { canonicalUuid, isUuid } from '../uuid.js';
import type { ValidatedRequest } from './validated-request.js';

const KEY_FORMAT_BY_SYSTEM = new Map(Object.values(CPC_SYSTEMS).map((s) => [s.systemId, s.keyFormat]));

/** Resolution rank of a track type's family, for ordering the track types of one key (highest last). */
function resolutionRank(trackType: string): number {
  const letters = /^[A-Za-z]+/.exec(trackType)?.[0].toUpperCase();
  return letters === 'UHD' ? 3 : letters === 'HD' ? 2 : letters === 'SD' ? 1 : 0;
}

/**
 * The intendedTrackType of each key, by canonical KID. A key in several usage rules (SPEKE v2
 * allows it, with different track types) protects all of them, so it gets them combined as
 * `SD+UHD1` is: the strictest HDCP level of the parts, and for per-system settings the value of
 * the highest resolution (the parts ordered from the lowest up). With only its first rule, a key
 * that also protects UHD got SD's weaker protection (found by review).
 */
function trackTypes(request: ValidatedRequest): Map<string, string> {
  const lists = new Map<string, string[]>();
  for (const rule of request.document.usageRules) {
    if (rule.kid === undefined || rule.intendedTrackType === undefined || !isUuid(rule.kid)) continue;
    const kid = canonicalUuid(rule.kid);
    const list = lists.get(kid) ?? [];
    const trackType = rule.intendedTrackType.trim();
    if (!list.includes(trackType)) list.push(trackType);
    lists.set(kid, list);
  }
  const byKid = new Map<string, string>();
  for (const [kid, list] of lists) {
    byKid.set(kid, [...list].sort((a, b) => resolutionRank(a) - resolutionRank(b)).join('+'));
  }
  return byKid;
}

/**
 * `<cpix:HDCPData HLSHDCPLevel="…"><cpix:HDCPOutputProtectionData>…</…></cpix:HDCPData>` in its
 * schema position, the first child of the ContentKey, right before cpix:Data (CPIX 2.4 ContentKey
 * is the sequence HDCPData?, Data?). An HDCPData the request carried is replaced, or removed when
 * no level is configured for the key: it is the key provider's to fill, never returned empty.
 */
function setHdcpData(contentKey: XmlElement, hdcp: XmlElement | undefined): void {
  const kept = contentKey.children.filter((c) => !(c.kind === 'element' && c.ns === NS.cpix && c.local === 'HDCPData'));
  if (hdcp) {
    const data = kept.findIndex((c) => c.kind === 'element' && c.ns === NS.cpix && c.local === 'Data');
    kept.splice(data < 0 ? 0 : data, 0, hdcp);
  }
  contentKey.children = kept;
}

/**
 * SPEKE v2.1 only: HDCP data per content key and robustness / allowed CPC per DRMSystem, from the
 * operator's settings and each key's intendedTrackType. Robustness goes only where DASH signalling
 * (ContentProtectionData) is returned, allowed CPC only where HLS signalling is.
 */
export function signalProtectionLevels(request: ValidatedRequest, levels: ProtectionLevels): void {
  const byKid = trackTypes(request);
  for (const key of request.contentKeys) {
    const level = hdcpLevelFor(levels, byKid.get(key.kid));
    let hdcp: XmlElement | undefined;
    if (level !== undefined) {
      const fragment = hdcpOutputProtection(level);
      hdcp = element(
        NS.cpix,
        'HDCPData',
        fragment === undefined ? [] : [element(NS.cpix, 'HDCPOutputProtectionData', [text(Buffer.from(fragment, 'utf8').toString('base64'))])],
        [{ ns: '', local: 'HLSHDCPLevel', prefix: '', value: level }],
      );
    }
    setHdcpData(key.entry.element, hdcp);
  }

  if (levels.robustness.size === 0 && levels.allowedCpc.size === 0) return;
  for (const drm of request.drmSystems) {
    const trackType = byKid.get(drm.kid);
    const systemId = drm.system.systemId;
    const robustness = systemSettingFor(levels.robustness, systemId, trackType);
    if (robustness !== undefined) {
      for (const cpd of childrenNamed(drm.entry.element, NS.cpix, 'ContentProtectionData')) setAttr(cpd, 'robustness', robustness);
    }
    const labels = systemSettingFor(levels.allowedCpc, systemId, trackType);
    const keyFormat = KEY_FORMAT_BY_SYSTEM.get(systemId);
    if (labels !== undefined && keyFormat !== undefined && childrenNamed(drm.entry.element, NS.cpix, 'HLSSignalingData').length > 0) {
      setAttr(drm.entry.element, 'HLSAllowedCPC', `${keyFormat}:${labels}`);
    }
  }
}
