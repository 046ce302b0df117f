// Types of scripts/build.mjs, for tests that build the Lambda bundle into a folder of their own.
import type { BuildResult } from 'esbuild';

export declare const OUT_DIR: string;
export declare function buildHandler(options?: { outdir?: string; metafile?: boolean }): Promise<BuildResult>;
