import type { KnipConfiguration } from "knip";

/*
 * `npm run lint` runs knip after Biome: an export, file or dependency nothing uses fails it.
 * Entries: the app (src/main.ts), the jobs the worker loads by file name (jobs/*.ts), the benchmarks
 * (bench/*.ts), and everything under test/ (test files, and the fakes and helpers they share). db/schema.ts
 * is an entry through drizzle.config.ts, and package.json's scripts add the rest.
 */
export default {
  entry: ["src/main.ts!", "jobs/*.ts!", "bench/*.ts", "test/**/*.ts"],
  project: ["src/**/*.ts!", "jobs/**/*.ts!", "db/**/*.ts!", "bench/**/*.ts", "test/**/*.ts", "*.ts"],
} satisfies KnipConfiguration;
