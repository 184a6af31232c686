import type { CandleSeries } from '../candles/series.js';
import type { StrategyDocument } from '../genome/schema.js';
import type { CompiledRules } from './rules.js';
import { rulesHold, anyRuleHolds } from './rules.js';
import type { BacktestSettings, ExitReason, Trade } from './types.js';

export interface SleeveRun {
  /** Equity at every bar close. */
  equity: Float64Array;
  trades: Trade[];
  /** Bar closes with an open position. */
  exposedBars: number;
}

const NONE = 0;
const ENTER_LONG = 1;
const ENTER_SHORT = -1;
const EXIT = 2;

/**
 * Simulates one symbol's sleeve bar by bar, exactly as BACKTEST_SEMANTICS.md says: orders from
 * the close of bar t fill at the open of t+1, stops and take-profits are checked in every bar
 * the position is open (gap first, stop before take-profit), equity is marked at each close,
 * a sleeve at or below zero equity is liquidated and stops trading.
 */
export function runSleeve(
  series: CandleSeries,
  symbolIndex: number,
  doc: StrategyDocument,
  rules: CompiledRules,
  capital: number,
  settings: BacktestSettings,
): SleeveRun {
  const { open, high, low, close } = series;
  const n = close.length;
  const equity = new Float64Array(n);
  const trades: Trade[] = [];
  const { fee, slippage } = settings;
  const { size, leverage } = doc.risk;
  const sl = doc.risk.stopLoss;
  const tp = doc.risk.takeProfit;
  const tr = doc.risk.trailingStop;
  const buySlip = 1 + slippage;
  const sellSlip = 1 - slippage;

  let cash = capital;
  let dir = 0; // 1 long, -1 short, 0 flat
  let qty = 0;
  let entryPrice = 0;
  let entryFee = 0;
  let entryIndex = 0;
  let extreme = 0; // peak (long) or trough (short) since entry, up to the previous bar
  let slLevel = 0;
  let tpLevel = 0;
  let pending = NONE;
  let exposedBars = 0;
  let dead = false;

  const close_ = (j: number, price: number, reason: ExitReason): void => {
    const exitFee = qty * price * fee;
    const gross = dir * qty * (price - entryPrice);
    cash += gross - exitFee;
    trades.push({
      symbolIndex,
      side: dir === 1 ? 'long' : 'short',
      entryIndex,
      entryPrice,
      exitIndex: j,
      exitPrice: price,
      qty,
      fees: entryFee + exitFee,
      pnl: gross - entryFee - exitFee,
      reason,
    });
    dir = 0;
  };

  for (let j = 0; j < n; j++) {
    if (dead) {
      equity[j] = 0;
      continue;
    }
    let closedThisBar = false;
    const o = open[j] as number;

    if (pending !== NONE) {
      if (pending === EXIT) {
        if (dir !== 0) {
          close_(j, dir === 1 ? o * sellSlip : o * buySlip, 'signal');
          closedThisBar = true;
        }
      } else if (dir === 0) {
        dir = pending;
        entryPrice = dir === 1 ? o * buySlip : o * sellSlip;
        const notional = size * cash * leverage;
        qty = notional / entryPrice;
        entryFee = notional * fee;
        cash -= entryFee;
        entryIndex = j;
        extreme = entryPrice;
        slLevel = sl === null ? NaN : dir === 1 ? entryPrice * (1 - sl) : entryPrice * (1 + sl);
        tpLevel = tp === null ? NaN : dir === 1 ? entryPrice * (1 + tp) : entryPrice * (1 - tp);
      }
      pending = NONE;
    }

    if (dir !== 0) {
      const h = high[j] as number;
      const l = low[j] as number;
      if (dir === 1) {
        const trLevel = tr === null ? NaN : extreme * (1 - tr);
        // The trailing level names the exit only when it is strictly the tighter one.
        const trailing = trLevel > slLevel || (sl === null && tr !== null);
        const stop = trailing ? trLevel : slLevel;
        const stopReason: ExitReason = trailing ? 'trailing_stop' : 'stop_loss';
        if (o <= stop) close_(j, o * sellSlip, stopReason);
        else if (o >= tpLevel) close_(j, o * sellSlip, 'take_profit');
        else if (l <= stop) close_(j, stop, stopReason);
        else if (h >= tpLevel) close_(j, tpLevel, 'take_profit');
        else if (h > extreme) extreme = h;
      } else {
        const trLevel = tr === null ? NaN : extreme * (1 + tr);
        const trailing = trLevel < slLevel || (sl === null && tr !== null);
        const stop = trailing ? trLevel : slLevel;
        const stopReason: ExitReason = trailing ? 'trailing_stop' : 'stop_loss';
        if (o >= stop) close_(j, o * buySlip, stopReason);
        else if (o <= tpLevel) close_(j, o * buySlip, 'take_profit');
        else if (h >= stop) close_(j, stop, stopReason);
        else if (l <= tpLevel) close_(j, tpLevel, 'take_profit');
        else if (l < extreme) extreme = l;
      }
      if (dir === 0) closedThisBar = true;
    }

    const c = close[j] as number;
    let eq = dir === 0 ? cash : cash + dir * qty * (c - entryPrice);
    if (eq <= 0) {
      if (dir !== 0) close_(j, c, 'liquidation');
      equity[j] = 0;
      dead = true;
      continue;
    }
    if (j === n - 1) {
      if (dir !== 0) {
        exposedBars++;
        close_(j, dir === 1 ? c * sellSlip : c * buySlip, 'end_of_data');
        eq = cash;
      }
      equity[j] = eq;
      break;
    }
    equity[j] = eq;
    if (dir !== 0) {
      exposedBars++;
      if (anyRuleHolds(rules.exit[dir === 1 ? 0 : 1], j)) pending = EXIT;
    } else {
      const longHolds = rules.entry[0] !== null && rulesHold(rules.entry[0], j);
      const shortHolds = rules.entry[1] !== null && rulesHold(rules.entry[1], j);
      if (longHolds && !shortHolds) pending = ENTER_LONG;
      else if (shortHolds && !longHolds) pending = ENTER_SHORT;
    }
  }
  return { equity, trades, exposedBars };
}
