/** End-to-end tests (`npm run test:e2e`): real ffmpeg and Debian's Chromium against the local server. */
import base from './jest.config.js';

// The coverage thresholds are the unit/integration suite's (npm test); e2e runs measure nothing.
const { coverageThreshold: _suiteThresholds, ...shared } = base;

export default {
  ...shared,
  testMatch: ['<rootDir>/tests/e2e/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  testTimeout: 180000,
  // One Chromium and one ffmpeg at a time: CI machines have two cores.
  maxWorkers: 1,
};
