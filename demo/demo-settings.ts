import { join } from 'node:path';
import type { LocalConfig } from '../src/config.js';
import type { TrackTypeTable } from '../src/drm/protection-levels.js';
import type { CopyProtectionDependencies } from '../src/service/copy-protection.js';

/** Where the demo's sample media live and what the settings panel may tell about the server. */
export interface DemoEnvironment {
  /** Folder of the encrypted samples `npm run demo` prepares (inside the data folder). */
  mediaDir: string;
  /** Where published keys go: the data folder or an S3 bucket (its name only). */
  keyStore: { kind: 'data-folder' } | { kind: 's3'; bucket: string };
  /** Where the master secret comes from; never the secret itself. */
  masterSecret: 'data-folder-file' | 'SPEKE_MASTER_SECRET';
  keyDerivation: string;
}

/** The demo's environment for a local server configuration. */
export function demoEnvironment(config: LocalConfig): DemoEnvironment {
  return {
    mediaDir: join(config.dataDir, DEMO_MEDIA_DIR),
    keyStore: config.s3 ? { kind: 's3', bucket: config.s3.bucket } : { kind: 'data-folder' },
    masterSecret: config.masterSecret !== undefined ? 'SPEKE_MASTER_SECRET' : 'data-folder-file',
    keyDerivation: config.keyDerivation,
  };
}

/** The demo's samples folder inside the data folder. */
export const DEMO_MEDIA_DIR = 'demo-media';

/** GET /demo/settings: the server's settings as the demo page shows them. No secret, key or path is included. */
export function demoSettings(app: CopyProtectionDependencies, demo: DemoEnvironment, clearKeyLicense: boolean): Record<string, unknown> {
  const { core } = app;
  return {
    server: core.userAgent,
    spekeVersions: ['1.0', '2.0', '2.1'],
    keyUrlPrefix: core.keyUrlPrefix,
    keyStore: demo.keyStore,
    masterSecret: demo.masterSecret,
    keyDerivation: demo.keyDerivation,
    clearKeyLicense: clearKeyLicense ? '/clearkey/license?contentId=<content ID>' : 'off',
    limits: core.limits,
    drmSystems: core.registry.ids().map((systemId) => ({ systemId, name: core.registry.get(systemId)?.name ?? systemId })),
    protectionLevels: protectionLevelsText(app),
  };
}

/** SPEKE v2.1 HDCP, robustness and allowed-CPC settings in the form of their variables ('' when unset). */
function protectionLevelsText(app: CopyProtectionDependencies): { hdcp: string; robustness: string; allowedCpc: string } {
  const levels = app.core.protectionLevels;
  const { registry } = app.core;
  const entries = (table: TrackTypeTable<string>, prefix = '') => [...table].map(([track, value]) => `${prefix}${track}=${value}`);
  const perSystem = (tables: ReadonlyMap<string, TrackTypeTable<string>>) =>
    [...tables].flatMap(([systemId, table]) => entries(table, `${(registry.get(systemId)?.name ?? systemId).toLowerCase()}:`)).join(',');
  if (!levels) return { hdcp: '', robustness: '', allowedCpc: '' };
  return { hdcp: entries(levels.hdcp).join(','), robustness: perSystem(levels.robustness), allowedCpc: perSystem(levels.allowedCpc) };
}
