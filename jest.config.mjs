// jest 30 in ESM mode with @swc/jest (see ../shared/TOOLCHAIN.md §6): NestJS 12 is ESM-only, and
// CJS-mode jest cannot load it on Node < 24.9. Decorator metadata must be emitted or Nest DI breaks silently.
// Two projects: everything against Nest 12 (ESM), and the Nest specs again against Nest 11 (CommonJS), which
// `npm test` installs into compat/nest11 first (pretest). Child-process specs stay in the ESM project: children
// load Nest from node_modules (12).
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

const common = {
  testEnvironment: 'node',
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
};

export default {
  globalSetup: '<rootDir>/test/setup/global-setup.mjs',
  globalTeardown: '<rootDir>/test/setup/global-teardown.mjs',
  testTimeout: 60000,
  projects: [
    {
      ...common,
      displayName: 'nest12-esm',
      globals: { EXPECTED_NEST_MAJOR: 12 },
      testMatch: ['<rootDir>/test/**/*.spec.ts'],
      extensionsToTreatAsEsm: ['.ts'],
      transform: { '^.+\\.ts$': swc('es6') },
    },
    {
      ...common,
      displayName: 'nest11-cjs',
      globals: { EXPECTED_NEST_MAJOR: 11 },
      testMatch: ['<rootDir>/test/nest/**/*.spec.ts'],
      moduleNameMapper: {
        ...common.moduleNameMapper,
        '^@nestjs/(common|core|testing|platform-express|platform-fastify|terminus)(/.*)?$': '<rootDir>/compat/nest11/node_modules/@nestjs/$1$2',
      },
      // @nestjs/terminus 12 ships ESM only: a Nest 11 CommonJS app loads it through Node's require(esm), which jest
      // (CJS mode, Node < 24.9) lacks, so jest compiles it to CommonJS here, and test/setup's plain-ESM helpers
      // (redis-server.mjs: a throwaway Redis to stop and restart) likewise
      transform: {
        '^.+\\.ts$': swc('commonjs'),
        '/@nestjs/terminus/dist/.+\\.js$': swc('commonjs'),
        '/test/setup/[^/]+\\.mjs$': swc('commonjs'),
      },
      transformIgnorePatterns: ['/node_modules/(?!@nestjs/terminus/)'],
    },
  ],
};
