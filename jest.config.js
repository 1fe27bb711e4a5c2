// ESM + ts-jest, as checked in ../shared/ENGINEERING.md. Integration tests share one real
// Prometheus started by the global setup (history is built once per run, then cached).
export default {
  preset: 'ts-jest/presets/default-esm',
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.test.json' }]
  },
  testMatch: ['**/__tests__/**/*.test.ts'],
  globalSetup: './__tests__/harness/global-setup.ts',
  globalTeardown: './__tests__/harness/global-teardown.ts',
  testTimeout: 60000,
  maxWorkers: 2
}
