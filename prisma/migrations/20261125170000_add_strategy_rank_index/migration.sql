-- The leaderboard orders (API GET /api/strategies, `mastertrade strategies`): Sharpe best first with
-- no-Sharpe last, and newest first, each with the id as tie-breaker for keyset pages. With these
-- indexes a page reads `limit` index entries and looks up only those rows' latest result, instead
-- of sorting every strategy (measured: ~35 ms at 5,000 strategies without, growing with the table).
-- The first is an expression index, which schema.prisma cannot describe; it is only here.
CREATE INDEX "strategies_rank_idx" ON "strategies" ((coalesce("sharpe", '-Infinity'::float8)) DESC, "id" DESC);
CREATE INDEX "strategies_created_idx" ON "strategies" ("created_at" DESC, "id" DESC);
