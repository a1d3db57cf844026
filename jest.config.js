/** Every test folder in one run: unit (test/core, test/aws, test/handlers, test/lint), CLI (test/cli), construct
 *  (test/lib), integration (test/integration), package (test/package) and demo (test/demo) tests.
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
