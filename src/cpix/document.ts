import { NS } from './namespaces.js';
import { attr, childrenNamed, firstChild, type XmlElement } from './xml-tree.js';

/**
 * A read-only view of a CPIX request: the parts SPEKE acts on, each with the element it came from,
 * so that the answer is written into the request's own tree.
 */
export interface ContentKeyEntry {
  element: XmlElement;
  kid: string | undefined;
  explicitIV: string | undefined;
  commonEncryptionScheme: string | undefined;
}

export interface DrmSystemEntry {
  element: XmlElement;
  kid: string | undefined;
  systemId: string | undefined;
}

export interface UsageRuleEntry {
  element: XmlElement;
  kid: string | undefined;
  intendedTrackType: string | undefined;
}

export interface CpixDocument {
  root: XmlElement;
  contentKeyList: XmlElement | undefined;
  contentKeys: ContentKeyEntry[];
  drmSystemList: XmlElement | undefined;
  drmSystems: DrmSystemEntry[];
  usageRuleList: XmlElement | undefined;
  usageRules: UsageRuleEntry[];
  periodList: XmlElement | undefined;
  periodIds: string[];
  deliveryDataList: XmlElement | undefined;
}

export function isCpixRoot(root: XmlElement): boolean {
  return root.ns === NS.cpix && root.local === 'CPIX';
}

export function viewCpix(root: XmlElement): CpixDocument {
  const contentKeyList = firstChild(root, NS.cpix, 'ContentKeyList');
  const drmSystemList = firstChild(root, NS.cpix, 'DRMSystemList');
  const usageRuleList = firstChild(root, NS.cpix, 'ContentKeyUsageRuleList');
  const periodList = firstChild(root, NS.cpix, 'ContentKeyPeriodList');
  return {
    root,
    contentKeyList,
    contentKeys: (contentKeyList ? childrenNamed(contentKeyList, NS.cpix, 'ContentKey') : []).map((element) => ({
      element,
      kid: attr(element, 'kid'),
      explicitIV: attr(element, 'explicitIV'),
      commonEncryptionScheme: attr(element, 'commonEncryptionScheme'),
    })),
    drmSystemList,
    drmSystems: (drmSystemList ? childrenNamed(drmSystemList, NS.cpix, 'DRMSystem') : []).map((element) => ({
      element,
      kid: attr(element, 'kid'),
      systemId: attr(element, 'systemId'),
    })),
    usageRuleList,
    usageRules: (usageRuleList ? childrenNamed(usageRuleList, NS.cpix, 'ContentKeyUsageRule') : []).map((element) => ({
      element,
      kid: attr(element, 'kid'),
      intendedTrackType: attr(element, 'intendedTrackType'),
    })),
    periodList,
    periodIds: (periodList ? childrenNamed(periodList, NS.cpix, 'ContentKeyPeriod') : [])
      .map((p) => attr(p, 'id'))
      .filter((id): id is string => id !== undefined),
    deliveryDataList: firstChild(root, NS.cpix, 'DeliveryDataList'),
  };
}
