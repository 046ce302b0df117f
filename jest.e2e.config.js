/** End-to-end tests (`npm run test:e2e`): real ffmpeg and Debian's Chromium against the local server. */
import base from './jest.config.js';

export default {
  ...base,
  testMatch: ['<rootDir>/tests/e2e/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  testTimeout: 180000,
  // One Chromium and one ffmpeg at a time: CI machines have two cores.
  maxWorkers: 1,
};
