-- CreateEnum
CREATE TYPE "strategy_origin" AS ENUM ('ga', 'pattern', 'random', 'user');

-- CreateEnum
CREATE TYPE "strategy_status" AS ENUM ('generated', 'backtested', 'passed', 'rejected', 'paper_trading', 'live_candidate', 'retired');

-- CreateEnum
CREATE TYPE "cycle_trigger" AS ENUM ('schedule', 'manual', 'api');

-- CreateEnum
CREATE TYPE "cycle_state" AS ENUM ('pending', 'fetching', 'generating', 'backtesting', 'learning', 'completed', 'partial', 'failed');

-- CreateTable
CREATE TABLE "candles" (
    "symbol" TEXT NOT NULL,
    "timeframe" TEXT NOT NULL,
    "ts" TIMESTAMPTZ(3) NOT NULL,
    "open" DOUBLE PRECISION NOT NULL,
    "high" DOUBLE PRECISION NOT NULL,
    "low" DOUBLE PRECISION NOT NULL,
    "close" DOUBLE PRECISION NOT NULL,
    "volume" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "candles_pkey" PRIMARY KEY ("symbol","timeframe","ts")
);

-- CreateTable
CREATE TABLE "datasets" (
    "id" TEXT NOT NULL,
    "symbols" TEXT[],
    "timeframe" TEXT NOT NULL,
    "from_ts" TIMESTAMPTZ(3) NOT NULL,
    "to_ts" TIMESTAMPTZ(3) NOT NULL,
    "bars" INTEGER NOT NULL,
    "source" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "datasets_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "strategies" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "document" JSONB NOT NULL,
    "type" TEXT NOT NULL,
    "timeframe" TEXT NOT NULL,
    "symbols" TEXT[],
    "origin" "strategy_origin" NOT NULL,
    "parent_ids" TEXT[],
    "status" "strategy_status" NOT NULL DEFAULT 'generated',
    "cycle_id" TEXT,
    "sharpe" DOUBLE PRECISION,
    "status_reason" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "strategies_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "cycles" (
    "id" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "trigger" "cycle_trigger" NOT NULL,
    "seed" TEXT NOT NULL,
    "requested_count" INTEGER NOT NULL,
    "generated_count" INTEGER NOT NULL DEFAULT 0,
    "backtested_count" INTEGER NOT NULL DEFAULT 0,
    "passed_count" INTEGER NOT NULL DEFAULT 0,
    "failed_count" INTEGER NOT NULL DEFAULT 0,
    "promoted_count" INTEGER NOT NULL DEFAULT 0,
    "state" "cycle_state" NOT NULL DEFAULT 'pending',
    "timings" JSONB NOT NULL DEFAULT '{}',
    "deadline" TIMESTAMPTZ(3),
    "dataset_id" TEXT,
    "data_source" TEXT,
    "data_note" TEXT,
    "error" TEXT,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "cycles_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "backtest_results" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "strategy_id" TEXT NOT NULL,
    "dataset_id" TEXT NOT NULL,
    "engine_version" TEXT NOT NULL,
    "cycle_id" TEXT,
    "timeframe" TEXT NOT NULL,
    "bars" INTEGER NOT NULL,
    "from_ts" TIMESTAMPTZ(3) NOT NULL,
    "to_ts" TIMESTAMPTZ(3) NOT NULL,
    "capital" DOUBLE PRECISION NOT NULL,
    "fee_rate" DOUBLE PRECISION NOT NULL,
    "slippage_rate" DOUBLE PRECISION NOT NULL,
    "total_return" DOUBLE PRECISION NOT NULL,
    "sharpe" DOUBLE PRECISION,
    "sortino" DOUBLE PRECISION,
    "max_drawdown" DOUBLE PRECISION NOT NULL,
    "win_rate" DOUBLE PRECISION,
    "profit_factor" DOUBLE PRECISION,
    "trades" INTEGER NOT NULL,
    "avg_trade_pnl" DOUBLE PRECISION,
    "longest_win_streak" INTEGER NOT NULL,
    "longest_loss_streak" INTEGER NOT NULL,
    "exposure" DOUBLE PRECISION NOT NULL,
    "monthly_returns" JSONB NOT NULL,
    "passed" BOOLEAN,
    "result" JSONB NOT NULL,
    "duration_ms" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "backtest_results_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "trades" (
    "result_id" UUID NOT NULL,
    "seq" INTEGER NOT NULL,
    "symbol" TEXT NOT NULL,
    "side" TEXT NOT NULL,
    "entry_ts" TIMESTAMPTZ(3) NOT NULL,
    "entry_price" DOUBLE PRECISION NOT NULL,
    "exit_ts" TIMESTAMPTZ(3) NOT NULL,
    "exit_price" DOUBLE PRECISION NOT NULL,
    "qty" DOUBLE PRECISION NOT NULL,
    "fees" DOUBLE PRECISION NOT NULL,
    "pnl" DOUBLE PRECISION NOT NULL,
    "reason" TEXT NOT NULL,

    CONSTRAINT "trades_pkey" PRIMARY KEY ("result_id","seq")
);

-- CreateTable
CREATE TABLE "equity_curves" (
    "result_id" UUID NOT NULL,
    "points" INTEGER NOT NULL,
    "ts_ms" BYTEA NOT NULL,
    "equity" BYTEA NOT NULL,

    CONSTRAINT "equity_curves_pkey" PRIMARY KEY ("result_id")
);

-- CreateTable
CREATE TABLE "learning_insights" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "cycle_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "data" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "learning_insights_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ga_population" (
    "cycle_id" TEXT NOT NULL,
    "strategy_id" TEXT NOT NULL,
    "fitness" DOUBLE PRECISION NOT NULL,
    "rank" INTEGER NOT NULL,

    CONSTRAINT "ga_population_pkey" PRIMARY KEY ("cycle_id","strategy_id")
);

-- CreateTable
CREATE TABLE "patterns" (
    "feature_key" TEXT NOT NULL,
    "success_count" INTEGER NOT NULL DEFAULT 0,
    "failure_count" INTEGER NOT NULL DEFAULT 0,
    "reward_sum" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "reward_sum_sq" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "last_cycle_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "patterns_pkey" PRIMARY KEY ("feature_key")
);

-- CreateTable
CREATE TABLE "predictor_models" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "name" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "symbol" TEXT NOT NULL,
    "timeframe" TEXT NOT NULL,
    "config" JSONB NOT NULL,
    "metrics" JSONB,
    "topology" JSONB,
    "weights" BYTEA,
    "active" BOOLEAN NOT NULL DEFAULT false,
    "trained_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "predictor_models_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "predictions" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "model_id" UUID NOT NULL,
    "symbol" TEXT NOT NULL,
    "timeframe" TEXT NOT NULL,
    "ts" TIMESTAMPTZ(3) NOT NULL,
    "horizon_bars" INTEGER NOT NULL,
    "value" DOUBLE PRECISION NOT NULL,
    "prob_up" DOUBLE PRECISION,
    "actual" DOUBLE PRECISION,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "predictions_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "strategies_status_sharpe_idx" ON "strategies"("status", "sharpe" DESC);

-- CreateIndex
CREATE INDEX "strategies_sharpe_idx" ON "strategies"("sharpe" DESC);

-- CreateIndex
CREATE INDEX "strategies_cycle_id_idx" ON "strategies"("cycle_id");

-- CreateIndex
CREATE INDEX "cycles_day_idx" ON "cycles"("day" DESC);

-- CreateIndex
CREATE INDEX "cycles_state_idx" ON "cycles"("state");

-- CreateIndex
CREATE INDEX "backtest_results_cycle_id_sharpe_idx" ON "backtest_results"("cycle_id", "sharpe" DESC);

-- CreateIndex
CREATE INDEX "backtest_results_sharpe_idx" ON "backtest_results"("sharpe" DESC);

-- CreateIndex
CREATE INDEX "backtest_results_dataset_id_idx" ON "backtest_results"("dataset_id");

-- CreateIndex
CREATE UNIQUE INDEX "backtest_results_strategy_id_dataset_id_engine_version_key" ON "backtest_results"("strategy_id", "dataset_id", "engine_version");

-- CreateIndex
CREATE INDEX "learning_insights_cycle_id_kind_idx" ON "learning_insights"("cycle_id", "kind");

-- CreateIndex
CREATE INDEX "ga_population_cycle_id_rank_idx" ON "ga_population"("cycle_id", "rank");

-- CreateIndex
CREATE INDEX "ga_population_strategy_id_idx" ON "ga_population"("strategy_id");

-- CreateIndex
CREATE INDEX "predictor_models_symbol_timeframe_active_idx" ON "predictor_models"("symbol", "timeframe", "active");

-- CreateIndex
CREATE UNIQUE INDEX "predictor_models_name_version_key" ON "predictor_models"("name", "version");

-- CreateIndex
CREATE INDEX "predictions_symbol_timeframe_ts_idx" ON "predictions"("symbol", "timeframe", "ts" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "predictions_model_id_symbol_timeframe_ts_horizon_bars_key" ON "predictions"("model_id", "symbol", "timeframe", "ts", "horizon_bars");

-- AddForeignKey
ALTER TABLE "strategies" ADD CONSTRAINT "strategies_cycle_id_fkey" FOREIGN KEY ("cycle_id") REFERENCES "cycles"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "cycles" ADD CONSTRAINT "cycles_dataset_id_fkey" FOREIGN KEY ("dataset_id") REFERENCES "datasets"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "backtest_results" ADD CONSTRAINT "backtest_results_strategy_id_fkey" FOREIGN KEY ("strategy_id") REFERENCES "strategies"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "backtest_results" ADD CONSTRAINT "backtest_results_dataset_id_fkey" FOREIGN KEY ("dataset_id") REFERENCES "datasets"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "backtest_results" ADD CONSTRAINT "backtest_results_cycle_id_fkey" FOREIGN KEY ("cycle_id") REFERENCES "cycles"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "trades" ADD CONSTRAINT "trades_result_id_fkey" FOREIGN KEY ("result_id") REFERENCES "backtest_results"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "equity_curves" ADD CONSTRAINT "equity_curves_result_id_fkey" FOREIGN KEY ("result_id") REFERENCES "backtest_results"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "learning_insights" ADD CONSTRAINT "learning_insights_cycle_id_fkey" FOREIGN KEY ("cycle_id") REFERENCES "cycles"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ga_population" ADD CONSTRAINT "ga_population_cycle_id_fkey" FOREIGN KEY ("cycle_id") REFERENCES "cycles"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ga_population" ADD CONSTRAINT "ga_population_strategy_id_fkey" FOREIGN KEY ("strategy_id") REFERENCES "strategies"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "predictions" ADD CONSTRAINT "predictions_model_id_fkey" FOREIGN KEY ("model_id") REFERENCES "predictor_models"("id") ON DELETE CASCADE ON UPDATE CASCADE;
