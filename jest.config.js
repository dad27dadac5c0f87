// The @nestjs/* v12 packages are ESM-only: Jest must compile them too, with swc
// (ts-jest cannot handle their import.meta.url). Type-checking is `npm run typecheck`.
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  },
];
const common = {
  transform: { '^.+\\.(t|j|mj)s$': swc },
  // The credential libraries (digitalbazaar and their helpers) are ESM only too: the built app
  // require()s them (Node >= 20.19), Jest needs them compiled.
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs|marked|jose|@digitalbazaar|@digitalcredentials|base58-universal|base64url-universal|ky)/)'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  testEnvironment: 'node',
};
module.exports = {
  // Jest reads testTimeout from this level only (a project's own value is ignored): e2e suites run
  // migrations, a queue and a worker, and need more than the 5 s default under load.
  testTimeout: 60000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'], testTimeout: 60000 },
    // Real Chromium from Debian (/usr/bin/chromium) driven by playwright-core; `npm run test:browser`.
    { ...common, displayName: 'browser', testMatch: ['<rootDir>/test/browser/**/*.browser-spec.ts'], testTimeout: 120000 },
  ],
};
