/** Costs and capital of a backtest (not part of the strategy). */
export interface BacktestSettings {
  /** Starting capital in quote currency, split equally across the symbols' sleeves. */
  capital: number;
  /** Fee as a fraction of notional, charged on every fill. */
  fee: number;
  /** Slippage as a fraction of price on market fills. */
  slippage: number;
}

export const DEFAULT_SETTINGS: Readonly<BacktestSettings> = Object.freeze({ capital: 10000, fee: 0.0006, slippage: 0.0005 });

export type ExitReason = 'signal' | 'stop_loss' | 'trailing_stop' | 'take_profit' | 'end_of_data' | 'liquidation';
export type Side = 'long' | 'short';

/** A closed trade, in bar indices of the strategy's series (see toResult for the JSON form). */
export interface Trade {
  symbolIndex: number;
  side: Side;
  entryIndex: number;
  /** Entry fill price, slippage included. */
  entryPrice: number;
  exitIndex: number;
  exitPrice: number;
  qty: number;
  /** Both fills' fees, quote currency. */
  fees: number;
  /** Net of fees and slippage, quote currency. */
  pnl: number;
  reason: ExitReason;
}

export interface Metrics {
  totalReturn: number;
  sharpe: number | null;
  sortino: number | null;
  maxDrawdown: number;
  winRate: number | null;
  profitFactor: number | null;
  trades: number;
  avgTradePnl: number | null;
  longestWinStreak: number;
  longestLossStreak: number;
  exposure: number;
  /** `YYYY-MM` (UTC) -> return of that month. */
  monthlyReturns: Record<string, number>;
}

export interface TradeJson {
  symbol: string;
  side: Side;
  entryTime: string;
  entryPrice: number;
  exitTime: string;
  exitPrice: number;
  qty: number;
  fees: number;
  pnl: number;
  reason: ExitReason;
}

/** The result JSON of STRATEGY_FORMAT.md. */
export interface BacktestResult {
  strategy: string;
  timeframe: string;
  settings: BacktestSettings;
  bars: number;
  from: string;
  to: string;
  metrics: Metrics;
  perSymbol: Record<string, Metrics>;
  trades: TradeJson[];
}
