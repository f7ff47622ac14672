/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.tsx?$': ['ts-jest', { tsconfig: 'tsconfig.json', isolatedModules: true, diagnostics: false }] },
  testTimeout: 300000,
  // ts-jest's compiled files outlive the run: test-all.sh gives jest a fresh TMPDIR (jest's default cache folder), which
  // made every run compile every test and source file again in each worker.
  cacheDirectory: '<rootDir>/node_modules/.cache/jest',
};
