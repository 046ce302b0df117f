// Types of scripts/build.mjs, for tests that build the Lambda bundles into a folder of their own.
import type { BuildOptions, BuildResult } from 'esbuild';

export declare const OUT_DIR: string;
/** Output name (without .mjs) → entry point: `speke` and `clearkey-license`. */
export declare const ENTRY_POINTS: Readonly<Record<string, string>>;
/** The esbuild settings of every Lambda bundle. */
export declare const LAMBDA_BUNDLE_OPTIONS: Readonly<BuildOptions>;
export declare function buildHandler(options?: { outdir?: string; metafile?: boolean }): Promise<BuildResult>;
