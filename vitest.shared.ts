import { defineConfig } from 'vitest/config';

/** Base test config: workspaces import each other's TypeScript sources (no build needed to test). */
export const sharedConfig = defineConfig({
  resolve: { conditions: ['@mastertrade/source'] },
  ssr: { resolve: { conditions: ['@mastertrade/source'] } },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'services/*/src/**/*.test.ts', 'services/*/test/**/*.test.ts', 'test/**/*.test.ts', 'infra/test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
