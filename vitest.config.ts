import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/core/**/*.test.ts', 'tests/security/**/*.test.ts'],
    // Backend tests start real runc containers, VMs and daemons: keep the
    // two cores of the CI machine from being oversubscribed.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
