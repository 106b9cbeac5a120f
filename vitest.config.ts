import { defineConfig } from "vitest/config";

const root = import.meta.dirname;
const alias = { "@": root };

// Three suites: pure logic (no services), the metadata DB (PGlite always, PostgreSQL when
// TEST_DATABASE_URL is set), and integration against the real bundled cluster.
export default defineConfig({
  test: {
    projects: [
      {
        resolve: { alias },
        test: { name: "unit", include: ["lib/**/*.test.ts", "server/**/*.test.ts", "cluster/**/*.test.ts", "components/**/*.test.ts", "app/**/*.test.ts"], environment: "node" },
      },
      {
        resolve: { alias },
        test: { name: "db", include: ["db/**/*.test.ts"], environment: "node", testTimeout: 30_000, hookTimeout: 60_000 },
      },
      {
        resolve: { alias },
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          environment: "node",
          testTimeout: 120_000,
          hookTimeout: 300_000,
          // One cluster: files run one after another so they do not fight over its 2 cores.
          fileParallelism: false,
        },
      },
    ],
  },
});
