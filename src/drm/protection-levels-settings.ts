import { CPC_SYSTEMS, HDCP_LEVELS, ROBUSTNESS_SYSTEMS, type HdcpLevel, type ProtectionLevels } from './protection-levels.js';
import { required } from '../required.js';

/**
 * Reads the three output-protection settings (docs/speke-v2.1.md "HDCP and robustness"), each a comma-separated
 * list; every problem is reported with the variable and the entry that caused it:
 *
 * - SPEKE_HDCP_LEVELS: `TRACK=LEVEL`, e.g. `SD=NONE,HD=TYPE-0,UHD=TYPE-1`
 * - SPEKE_ROBUSTNESS: `DRM:TRACK=ROBUSTNESS`, e.g. `widevine:HD=HW_SECURE_DECODE,playready:*=3000`
 * - SPEKE_HLS_ALLOWED_CPC: `DRM:TRACK=LABEL/LABEL…`, e.g. `fairplay:UHD=AppleMain/Main`
 *
 * TRACK is an intendedTrackType (`HD`, `UHD1`, `SD+HD1`, `STEREO_AUDIO`, …), a family that covers
 * its numbered members (`HD` covers `HD1` and `HD2`), or `*` for every other track type.
 */
export type ProtectionLevelSettings = Record<'SPEKE_HDCP_LEVELS' | 'SPEKE_ROBUSTNESS' | 'SPEKE_HLS_ALLOWED_CPC', string | undefined>;

const TRACK_TYPE = /^(\*|[A-Za-z0-9_]{1,64}(\+[A-Za-z0-9_]{1,64}){0,7})$/;
/** DRM-specific robustness names (Widevine HW_SECURE_ALL, PlayReady 3000, …): a short token. */
const ROBUSTNESS = /^[A-Za-z0-9_.:-]{1,64}$/;
/** CPC labels (Apple: AppleBaseline, AppleMain, Baseline, Main), `/`-separated. */
const CPC_LABELS = /^[A-Za-z0-9_.-]{1,64}(\/[A-Za-z0-9_.-]{1,64}){0,15}$/;

interface Entry {
  drm: string | undefined;
  trackType: string;
  value: string;
}

function entries(variable: string, text: string | undefined, perDrm: boolean, problems: string[]): Entry[] {
  if (text === undefined) return [];
  const out: Entry[] = [];
  const seen = new Set<string>();
  for (const raw of text.split(',')) {
    const item = raw.trim();
    if (item === '') continue;
    const match = perDrm ? /^([a-z]+):([^=]+)=(.*)$/.exec(item) : /^()([^=]+)=(.*)$/.exec(item);
    if (!match) {
      problems.push(`${variable} entry "${item}" must be ${perDrm ? 'DRM:TRACK=VALUE' : 'TRACK=VALUE'}`);
      continue;
    }
    const [, drm, trackType, value] = match as unknown as [string, string, string, string];
    if (!TRACK_TYPE.test(trackType.trim())) {
      problems.push(`${variable} entry "${item}": track type must be an intendedTrackType such as HD, UHD1 or SD+HD1, or *`);
      continue;
    }
    const key = `${drm}:${trackType.trim()}`;
    if (seen.has(key)) problems.push(`${variable} sets ${perDrm ? `${drm}:` : ''}${trackType.trim()} twice`);
    seen.add(key);
    out.push({ drm: perDrm ? drm : undefined, trackType: trackType.trim(), value: value.trim() });
  }
  return out;
}

function perSystem(
  variable: string,
  text: string | undefined,
  systems: Readonly<Record<string, string>>,
  valid: RegExp,
  what: string,
  problems: string[],
): Map<string, Map<string, string>> {
  const tables = new Map<string, Map<string, string>>();
  for (const { drm, trackType, value } of entries(variable, text, true, problems)) {
    const systemId = systems[required(drm, 'the DRM name')];
    if (systemId === undefined) {
      problems.push(`${variable}: unknown DRM "${drm}"; allowed: ${Object.keys(systems).join(', ')}`);
      continue;
    }
    if (!valid.test(value)) {
      problems.push(`${variable}: ${drm}:${trackType} must be ${what} (got "${value}")`);
      continue;
    }
    let table = tables.get(systemId);
    if (table === undefined) tables.set(systemId, (table = new Map<string, string>()));
    table.set(trackType, value);
  }
  return tables;
}

export function parseProtectionLevels(settings: ProtectionLevelSettings): { levels: ProtectionLevels; problems: string[] } {
  const problems: string[] = [];
  const hdcp = new Map<string, HdcpLevel>();
  for (const { trackType, value } of entries('SPEKE_HDCP_LEVELS', settings.SPEKE_HDCP_LEVELS, false, problems)) {
    if ((HDCP_LEVELS as readonly string[]).includes(value)) hdcp.set(trackType, value as HdcpLevel);
    else problems.push(`SPEKE_HDCP_LEVELS: ${trackType} must be one of ${HDCP_LEVELS.join(', ')} (got "${value}")`);
  }
  const robustness = perSystem(
    'SPEKE_ROBUSTNESS',
    settings.SPEKE_ROBUSTNESS,
    ROBUSTNESS_SYSTEMS,
    ROBUSTNESS,
    '1 to 64 letters, digits, "_", ".", ":" or "-"',
    problems,
  );
  const cpcSystems = Object.fromEntries(Object.entries(CPC_SYSTEMS).map(([name, s]) => [name, s.systemId]));
  const allowedCpc = perSystem(
    'SPEKE_HLS_ALLOWED_CPC',
    settings.SPEKE_HLS_ALLOWED_CPC,
    cpcSystems,
    CPC_LABELS,
    'CPC labels separated by "/", e.g. AppleMain/Main',
    problems,
  );
  return { levels: { hdcp, robustness, allowedCpc }, problems };
}
