// Prisma CLI configuration (Prisma 6.19).
//
// `engine: 'js'` + a driver adapter makes the CLI use the WebAssembly schema engine bundled in
// the `prisma` package instead of downloading a native one, so `generate`, `migrate deploy` and
// `migrate diff` work on machines without internet. The adapter is @prisma/adapter-pg 7.x on
// purpose: 6.19.3's adapter fails migrations with "Column type 'name' could not be
// deserialized". See README, "Database and migrations".
import { existsSync } from 'node:fs';
import { PrismaPg } from '@prisma/adapter-pg';
import { defineConfig } from 'prisma/config';

// With a config file Prisma no longer reads .env itself.
if (existsSync('.env') && typeof process.loadEnvFile === 'function') process.loadEnvFile('.env');

// Without DATABASE_URL the CLI cannot read `engineType = "client"` from the schema (env() fails
// to resolve), falls back to the Rust query engine and tries to download it: `prisma generate`
// (postinstall) would fail offline. Generate never connects, so a placeholder is enough; the
// adapter below still refuses to run without a real URL.
const databaseUrl = process.env.DATABASE_URL;
process.env.DATABASE_URL ??= 'postgresql://placeholder@localhost:5432/placeholder';

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  // Only called by commands that talk to a database (not by `prisma generate`).
  adapter: async () => {
    if (!databaseUrl) throw new Error('DATABASE_URL is not set');
    return new PrismaPg({ connectionString: databaseUrl, allowExitOnIdle: true });
  },
});
