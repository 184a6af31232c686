// Prisma CLI configuration (Prisma 7 reads the datasource URL here, not from schema.prisma).
// A tool config: it reads DATABASE_URL directly because the prisma CLI loads it before any of our code exists.
// The application never reads this file; it gets DATABASE_URL through packages/config.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env['DATABASE_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/mastertrade' },
});
