/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  // Suites start workers and servers; the stack's servers are shared.
  testTimeout: 60_000,
  maxWorkers: 2,
  verbose: true,
};
