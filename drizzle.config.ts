import { defineConfig } from "drizzle-kit";

// Only `npm run db:generate` reads this: it diffs db/schema.ts against the last snapshot and
// writes the next SQL migration. No database connection is needed for that.
export default defineConfig({
  dialect: "postgresql",
  schema: "./db/schema.ts",
  out: "./db/migrations",
});
