// jest 30 in ESM mode with @swc/jest (see ../shared/TOOLCHAIN.md §6): NestJS 12 is ESM-only, and
// CJS-mode jest cannot load it on Node < 24.9. Decorator metadata must be emitted or Nest DI breaks silently.
const swc = (moduleType) => [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2023',
    },
    module: { type: moduleType },
  },
];

export default {
  globalSetup: '<rootDir>/test/setup/global-setup.mjs',
  globalTeardown: '<rootDir>/test/setup/global-teardown.mjs',
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/**/*.spec.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': swc('es6') },
  testTimeout: 60000,
};
