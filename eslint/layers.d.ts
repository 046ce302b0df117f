/** Types of eslint/layers.js for the tests that import it (the lint configuration loads the .js). */
import type { ESLint } from 'eslint';

export interface Layer {
  name: string;
  rank: number;
  modules: string[];
}
export declare const LAYERS: readonly Layer[];
export declare function layerOf(relativePath: string): Layer | undefined;
export declare function layerViolation(from: string, to: string): string | undefined;
declare const plugin: ESLint.Plugin;
export default plugin;
