-- Honest selection (walk-forward, out-of-sample, deflated Sharpe, bias gate): what each result was judged on.
-- The metric columns of backtest_results hold the IN-SAMPLE run of a cycle's strategy; these hold the rest.
ALTER TABLE "backtest_results" ADD COLUMN "split_ts" TIMESTAMPTZ(3);
ALTER TABLE "backtest_results" ADD COLUMN "is_score" DOUBLE PRECISION;
ALTER TABLE "backtest_results" ADD COLUMN "folds" JSONB;
ALTER TABLE "backtest_results" ADD COLUMN "oos" JSONB;
ALTER TABLE "backtest_results" ADD COLUMN "oos_sharpe" DOUBLE PRECISION;
ALTER TABLE "backtest_results" ADD COLUMN "oos_total_return" DOUBLE PRECISION;
ALTER TABLE "backtest_results" ADD COLUMN "oos_trades" INTEGER;
ALTER TABLE "backtest_results" ADD COLUMN "oos_passed" BOOLEAN;
ALTER TABLE "backtest_results" ADD COLUMN "return_moments" JSONB;
ALTER TABLE "backtest_results" ADD COLUMN "grid_returns" BYTEA;
ALTER TABLE "backtest_results" ADD COLUMN "dsr" DOUBLE PRECISION;
ALTER TABLE "backtest_results" ADD COLUMN "bias" JSONB;

CREATE INDEX "backtest_results_dsr_idx" ON "backtest_results"("dsr" DESC);
