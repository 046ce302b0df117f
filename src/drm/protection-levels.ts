import { FAIRPLAY_KEY_FORMAT } from './fairplay.js';
import { SYSTEM_IDS } from './system-ids.js';

/**
 * The operator's output-protection policy for SPEKE v2.1 answers (SPEKE-v2.1.md §d, §e), by track
 * type: the HDCP level of each content key (cpix:HDCPData, one per key, shared by every DRM) and,
 * per DRM system, the robustness it is expected to enforce (DASH ContentProtectionData@robustness)
 * and the content protection configurations HLS players may use (DRMSystem@HLSAllowedCPC).
 * Read and validated by src/config.ts; nothing is signalled for a track type that is not configured.
 */

/** HLS HDCP-LEVEL values (draft-pantos-hls-rfc8216bis): no HDCP needed, any HDCP, HDCP 2.2 or later (Type 1). */
export const HDCP_LEVELS = ['NONE', 'TYPE-0', 'TYPE-1'] as const;
export type HdcpLevel = (typeof HDCP_LEVELS)[number];

/** A track type (an intendedTrackType such as `HD` or `SD+HD1`, or `*` for any other) → value. */
export type TrackTypeTable<T> = ReadonlyMap<string, T>;

export interface ProtectionLevels {
  /** SPEKE_HDCP_LEVELS */
  hdcp: TrackTypeTable<HdcpLevel>;
  /** SPEKE_ROBUSTNESS: system ID → track type → ContentProtectionData@robustness. */
  robustness: ReadonlyMap<string, TrackTypeTable<string>>;
  /** SPEKE_HLS_ALLOWED_CPC: system ID → track type → CPC labels joined by `/` (e.g. `AppleMain/Main`). */
  allowedCpc: ReadonlyMap<string, TrackTypeTable<string>>;
}

export const NO_PROTECTION_LEVELS: ProtectionLevels = { hdcp: new Map(), robustness: new Map(), allowedCpc: new Map() };

/** DRM systems that have a DASH robustness, by the name the settings use. */
export const ROBUSTNESS_SYSTEMS: Readonly<Record<string, string>> = { widevine: SYSTEM_IDS.widevine, playready: SYSTEM_IDS.playready };

/** HLS KEYFORMAT of each system that has CPC labels, by the name the settings use (ALLOWED-CPC entries are `KEYFORMAT:labels`). */
export const CPC_SYSTEMS: Readonly<Record<string, { systemId: string; keyFormat: string }>> = {
  fairplay: { systemId: SYSTEM_IDS.fairplay, keyFormat: FAIRPLAY_KEY_FORMAT },
  widevine: { systemId: SYSTEM_IDS.widevine, keyFormat: `urn:uuid:${SYSTEM_IDS.widevine}` },
  playready: { systemId: SYSTEM_IDS.playready, keyFormat: 'com.microsoft.playready' },
};

/** `HD1` → `HD`, `UHD2` → `UHD`: the preset family of a numbered track type (letters then digits only). */
function family(trackType: string): string | undefined {
  return /^([A-Za-z]+)\d+$/.exec(trackType)?.[1];
}

/**
 * The values that apply to a key of this intendedTrackType: the type itself when configured;
 * otherwise, per `+`-joined sub-component, the sub-component, its family (`HD1` → `HD`) or `*`.
 * A key without a usage rule gets `*`. Empty when nothing is configured for it.
 */
function matches<T>(table: TrackTypeTable<T>, trackType: string | undefined): T[] {
  if (table.size === 0) return [];
  const wildcard = table.get('*');
  if (trackType === undefined) return wildcard === undefined ? [] : [wildcard];
  const exact = table.get(trackType.trim());
  if (exact !== undefined) return [exact];
  return trackType
    .trim()
    .split('+')
    .map((part) => table.get(part) ?? table.get(family(part) ?? '') ?? wildcard)
    .filter((v): v is T => v !== undefined);
}

/** The HDCP level of a key: for combined track types (`SD+HD1`) the strictest of its parts, since one key protects them all. */
export function hdcpLevelFor(levels: ProtectionLevels, trackType: string | undefined): HdcpLevel | undefined {
  const found = matches(levels.hdcp, trackType);
  if (found.length === 0) return undefined;
  return found.reduce((a, b) => (HDCP_LEVELS.indexOf(b) > HDCP_LEVELS.indexOf(a) ? b : a));
}

/**
 * A per-system string setting (robustness, CPC labels) of a key: for combined track types the value
 * of the last configured part (presets list sub-components from the lowest resolution up, so the
 * highest one decides).
 */
export function systemSettingFor(tables: ReadonlyMap<string, TrackTypeTable<string>>, systemId: string, trackType: string | undefined): string | undefined {
  const table = tables.get(systemId);
  if (!table) return undefined;
  const found = matches(table, trackType);
  return found[found.length - 1];
}

/** DASH-IF output protection scheme (IOP v5 part 6 §7.4) and the HDCP version each HLS level asks for. */
export const HDCP_OUTPUT_PROTECTION_SCHEME = 'urn:mpeg:dash:output-protection:hdcp:2020';
const HDCP_VERSION: Record<Exclude<HdcpLevel, 'NONE'>, string> = { 'TYPE-0': '1.4', 'TYPE-1': '2.2' };

/**
 * The DASH OutputProtection element for a level, as the standalone UTF-8 fragment
 * cpix:HDCPOutputProtectionData carries (base64): TYPE-0 asks for HDCP 1.4, TYPE-1 for HDCP 2.2
 * (the first version with Type 1 content streams). NONE has none.
 */
export function hdcpOutputProtection(level: HdcpLevel): string | undefined {
  if (level === 'NONE') return undefined;
  return `<OutputProtection xmlns="urn:mpeg:dash:schema:mpd:2011" schemeIdUri="${HDCP_OUTPUT_PROTECTION_SCHEME}" value="${HDCP_VERSION[level]}"/>`;
}
