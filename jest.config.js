/** Unit (test/core), CLI (test/cli), construct (test/lib) and integration (test/integration) tests in one run.
 *  globalSetup starts moto server for the integration tests; swc strips types (tsc --noEmit type-checks separately). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.tsx?$': ['@swc/jest'] },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 60000,
};
