// Types of requests.js (the demo page's request builder, plain browser JavaScript) for the tests that import it.
export interface DemoSystem {
  id: string;
  name: string;
  kind: string;
}
export interface DemoPreset {
  name: string;
  version: '1' | '2' | '2.1';
  systems: string[];
  scheme?: string;
  signalling?: string;
  tracks: string;
  periods?: string;
}
export const SYSTEMS: DemoSystem[];
export const PRESETS: DemoPreset[];
export const PERIODS: string[];
export function randomKid(): string;
export function buildRequest(options: {
  version: string;
  contentId: string;
  systems: string[];
  scheme?: string;
  signalling?: string;
  tracks: string;
  periods?: string;
  certificate?: string;
}): string;
