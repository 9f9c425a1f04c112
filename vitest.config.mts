// Vitest runs only the testing kit's Vitest spec (test/vitest): it proves jobcraft/testing works for Vitest users on
// NestJS 12 (ESM). jest runs it as a child process (test/e2e/vitest-kit.spec.ts), so `npm test` covers it. Vite's
// own transform honours tsconfig.json's experimentalDecorators and emitDecoratorMetadata (test/ is in its include).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/vitest/**/*.vitest.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
