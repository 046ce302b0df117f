// Types of scripts/build.mjs, for tests that build the Lambda bundles into a folder of their own.
import type { BuildResult } from 'esbuild';

export declare const OUT_DIR: string;
/** Output name (without .mjs) → entry point: `speke` and `clearkey-license`. */
export declare const ENTRY_POINTS: Readonly<Record<string, string>>;
export declare function buildHandler(options?: { outdir?: string; metafile?: boolean }): Promise<BuildResult>;
