/** Jest in native ESM mode (the package is "type": "module"). */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }],
  },
  testMatch: ['<rootDir>/tests/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/tests/e2e/'],
  testTimeout: 30000,
  // The project's machines (CI and development) have two cores; Jest's default (cores − 1) would
  // leave one idle. Every test listens on port 0 and owns its temporary folders, so files run in parallel.
  maxWorkers: 2,
  // `npm test` runs with --coverage and fails below these: the level the suite reached when they
  // were set, rounded down (2026-12-03, three full runs: statements 95.02–95.05, branches
  // 89.97–90.13, functions 96.72, lines 97.03 %; a few branches depend on timing under load, so
  // branches take the lowest run). Raise them as coverage grows; never lower them. Test helpers
  // are not counted.
  coveragePathIgnorePatterns: ['/node_modules/', '<rootDir>/tests/'],
  coverageReporters: ['text-summary', 'json-summary', 'lcov'],
  coverageThreshold: { global: { statements: 95, branches: 89, functions: 96, lines: 97 } },
};
