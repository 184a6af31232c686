-- Paper trading (services/paper-trader, docs/adr/0002-paper-trading.md): every strategy promoted to
-- `paper_trading` runs forward on candles that arrive after its promotion, with the backtest engine.
-- What it has done is kept here, so a restart resumes from it and nothing is counted twice.

-- One paper run per strategy: its fixed inputs (bars, costs, the out-of-sample result it is judged
-- against) and its latest state. `status` follows the strategy: paper_trading, live_candidate (still
-- tracked) or retired (stopped).
CREATE TABLE "paper_accounts" (
    "strategy_id" TEXT NOT NULL,
    "status" "strategy_status" NOT NULL DEFAULT 'paper_trading',
    "status_reason" TEXT,
    "timeframe" TEXT NOT NULL,
    "promoted_at" TIMESTAMPTZ(3) NOT NULL,
    "anchor_ts" TIMESTAMPTZ(3) NOT NULL,
    "start_ts" TIMESTAMPTZ(3) NOT NULL,
    "last_bar_ts" TIMESTAMPTZ(3),
    "seen_until" TIMESTAMPTZ(3),
    "capital" DOUBLE PRECISION NOT NULL,
    "fee_rate" DOUBLE PRECISION NOT NULL,
    "slippage_rate" DOUBLE PRECISION NOT NULL,
    "result_id" UUID,
    "oos_sharpe" DOUBLE PRECISION,
    "oos_total_return" DOUBLE PRECISION,
    "oos_days" DOUBLE PRECISION,
    "bars" INTEGER NOT NULL DEFAULT 0,
    "equity" DOUBLE PRECISION NOT NULL,
    "trades" INTEGER NOT NULL DEFAULT 0,
    "open_positions" JSONB NOT NULL DEFAULT '[]',
    "metrics" JSONB,
    "sharpe" DOUBLE PRECISION,
    "total_return" DOUBLE PRECISION,
    "closed_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "paper_accounts_pkey" PRIMARY KEY ("strategy_id")
);
CREATE INDEX "paper_accounts_status_idx" ON "paper_accounts"("status");
ALTER TABLE "paper_accounts" ADD CONSTRAINT "paper_accounts_strategy_id_fkey"
    FOREIGN KEY ("strategy_id") REFERENCES "strategies"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- A closed paper trade. The key (strategy, symbol, entry bar) is the idempotency key: one position
-- per strategy and symbol, so a re-processed bar or a restarted trader can never store a trade twice.
CREATE TABLE "paper_trades" (
    "strategy_id" TEXT NOT NULL,
    "symbol" TEXT NOT NULL,
    "entry_ts" TIMESTAMPTZ(3) NOT NULL,
    "side" TEXT NOT NULL,
    "entry_price" DOUBLE PRECISION NOT NULL,
    "exit_ts" TIMESTAMPTZ(3) NOT NULL,
    "exit_price" DOUBLE PRECISION NOT NULL,
    "qty" DOUBLE PRECISION NOT NULL,
    "fees" DOUBLE PRECISION NOT NULL,
    "pnl" DOUBLE PRECISION NOT NULL,
    "reason" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "paper_trades_pkey" PRIMARY KEY ("strategy_id", "symbol", "entry_ts")
);
CREATE INDEX "paper_trades_strategy_id_exit_ts_idx" ON "paper_trades"("strategy_id", "exit_ts");
ALTER TABLE "paper_trades" ADD CONSTRAINT "paper_trades_strategy_id_fkey"
    FOREIGN KEY ("strategy_id") REFERENCES "paper_accounts"("strategy_id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Paper equity at every bar close of the strategy's timeframe (`ts` = bar open time).
CREATE TABLE "paper_equity" (
    "strategy_id" TEXT NOT NULL,
    "ts" TIMESTAMPTZ(3) NOT NULL,
    "equity" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "paper_equity_pkey" PRIMARY KEY ("strategy_id", "ts")
);
ALTER TABLE "paper_equity" ADD CONSTRAINT "paper_equity_strategy_id_fkey"
    FOREIGN KEY ("strategy_id") REFERENCES "paper_accounts"("strategy_id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The nightly parity check: per strategy and paper day (UTC), the backtester re-run over the bars the
-- paper trader saw, diffed trade by trade against the stored paper trades.
CREATE TABLE "parity_ledger" (
    "strategy_id" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "bars" INTEGER NOT NULL,
    "paper_trades" INTEGER NOT NULL,
    "backtest_trades" INTEGER NOT NULL,
    "missed" INTEGER NOT NULL,
    "extra" INTEGER NOT NULL,
    "price_diffs" INTEGER NOT NULL,
    "max_abs_diff" DOUBLE PRECISION NOT NULL,
    "drift" BOOLEAN NOT NULL,
    "detail" JSONB NOT NULL DEFAULT '[]',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "parity_ledger_pkey" PRIMARY KEY ("strategy_id", "day")
);
ALTER TABLE "parity_ledger" ADD CONSTRAINT "parity_ledger_strategy_id_fkey"
    FOREIGN KEY ("strategy_id") REFERENCES "paper_accounts"("strategy_id") ON DELETE CASCADE ON UPDATE CASCADE;
