-- A cycle's configuration (filters, fitness, GA and promotion settings), stored so a cycle can be replayed.
ALTER TABLE "cycles" ADD COLUMN "config" JSONB NOT NULL DEFAULT '{}';

-- CreateEnum
CREATE TYPE "cycle_strategy_state" AS ENUM ('queued', 'done', 'failed', 'cancelled');

-- Which strategies a cycle tests (elites re-tested on new data included), in which batch, and how each ended.
CREATE TABLE "cycle_strategies" (
    "cycle_id" TEXT NOT NULL,
    "strategy_id" TEXT NOT NULL,
    "origin" "strategy_origin" NOT NULL,
    "batch" INTEGER NOT NULL,
    "state" "cycle_strategy_state" NOT NULL DEFAULT 'queued',
    "error" TEXT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "cycle_strategies_pkey" PRIMARY KEY ("cycle_id", "strategy_id")
);

CREATE INDEX "cycle_strategies_cycle_id_state_idx" ON "cycle_strategies"("cycle_id", "state");
CREATE INDEX "cycle_strategies_cycle_id_batch_idx" ON "cycle_strategies"("cycle_id", "batch");
CREATE INDEX "cycle_strategies_strategy_id_idx" ON "cycle_strategies"("strategy_id");

ALTER TABLE "cycle_strategies" ADD CONSTRAINT "cycle_strategies_cycle_id_fkey" FOREIGN KEY ("cycle_id") REFERENCES "cycles"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "cycle_strategies" ADD CONSTRAINT "cycle_strategies_strategy_id_fkey" FOREIGN KEY ("strategy_id") REFERENCES "strategies"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The pattern bandit's state (discounted Beta-Bernoulli counts) and its best example.
ALTER TABLE "patterns" ADD COLUMN "successes" DOUBLE PRECISION NOT NULL DEFAULT 0;
ALTER TABLE "patterns" ADD COLUMN "failures" DOUBLE PRECISION NOT NULL DEFAULT 0;
ALTER TABLE "patterns" ADD COLUMN "seen" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "patterns" ADD COLUMN "mean_fitness" DOUBLE PRECISION;
ALTER TABLE "patterns" ADD COLUMN "best_fitness" DOUBLE PRECISION;
ALTER TABLE "patterns" ADD COLUMN "best_strategy_id" TEXT;
