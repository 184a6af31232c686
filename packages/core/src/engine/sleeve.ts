import type { CandleSeries } from '../candles/series.js';
import type { StrategyDocument } from '../genome/schema.js';
import { conditionsMask, type CompiledRules } from './rules.js';
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

// Exit reasons as small integers inside the loop (0: no exit).
const SIGNAL = 1;
const STOP_LOSS = 2;
const TRAILING_STOP = 3;
const TAKE_PROFIT = 4;
const REASONS: readonly ExitReason[] = ['signal', 'signal', 'stop_loss', 'trailing_stop', 'take_profit'];

/** Every rule of every bar as a 0/1 mask (rules read only columns, never the position). */
export interface SignalMasks {
  entryLong: Uint8Array;
  entryShort: Uint8Array;
  exitLong: Uint8Array;
  exitShort: Uint8Array;
}

/**
 * Mask storage by slot (one slot per sleeve of a run), reused by every run: the engine is
 * synchronous and a slot's masks are read only until the next sleeveSignals() on that slot.
 * Sized in whole 8-byte steps (conditionsMask combines four bars at a time).
 */
const maskSlots: Uint8Array[][] = [];

/**
 * The signal masks of a sleeve's compiled rules over bars [0, n), in slot `slot`'s storage
 * (valid until that slot is used again). Computed once, they serve every range the sleeve is
 * run over (in-sample, folds, out-of-sample): see simulateRanges().
 */
export function sleeveSignals(rules: CompiledRules, n: number, slot = 0): SignalMasks {
  let set = maskSlots[slot];
  if (set === undefined || (set[0] as Uint8Array).length < n) {
    const size = (n + 7) & ~7;
    set = Array.from({ length: 5 }, () => new Uint8Array(size));
    maskSlots[slot] = set;
  }
  const [entryLong, entryShort, exitLong, exitShort, tmp] = set.map((m) => (m.length === n ? m : m.subarray(0, n))) as [Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array];
  conditionsMask(rules.entry[0], true, entryLong, tmp);
  conditionsMask(rules.entry[1], true, entryShort, tmp);
  conditionsMask(rules.exit[0], false, exitLong, tmp);
  conditionsMask(rules.exit[1], false, exitShort, tmp);
  return { entryLong, entryShort, exitLong, exitShort };
}

/**
 * Simulates one symbol's sleeve bar by bar from its signal masks (sleeveSignals over the whole
 * series), exactly as BACKTEST_SEMANTICS.md says: orders from the close of bar t fill at the
 * open of t+1, stops and take-profits are checked in every bar the position is open (gap first,
 * stop before take-profit), equity is marked at each close, a sleeve at or below zero equity is
 * liquidated and stops trading.
 *
 * `equityOut` (length = bars of the range) receives the equity curve instead of a new array;
 * every entry is written. The loop keeps its state in locals (no closure over them), so it
 * stays in registers.
 *
 * `range` restricts trading to bars [from, to) (walk-forward folds, out-of-sample runs): the
 * rules still read the indicator columns of the whole series, so bars before `from` are warm-up
 * (and a cross at `from` sees bar from-1), the sleeve starts flat with its capital at `from`,
 * and an open position is closed at the close of to-1 (end_of_data). Trade and equity indices
 * are relative to `from`. `signalDelay` (bars, default 0) acts on every signal that much later
 * (the bias gate's one-bar-delay run): a signal at the close of t fills at the open of t+1+delay.
 */
export function runSleeve(
  series: CandleSeries,
  symbolIndex: number,
  doc: StrategyDocument,
  signals: SignalMasks,
  capital: number,
  settings: BacktestSettings,
  equityOut?: Float64Array,
  range?: SimRange,
): SleeveRun {
  const { open, high, low, close } = series;
  const n = close.length;
  const from = range?.from ?? 0;
  const to = range?.to ?? n;
  const delay = range?.signalDelay ?? 0;
  const equity = equityOut ?? new Float64Array(to - from);
  const trades: Trade[] = [];
  const { fee, slippage } = settings;
  const { size, leverage } = doc.risk;
  const sl = doc.risk.stopLoss;
  const tp = doc.risk.takeProfit;
  const tr = doc.risk.trailingStop;
  const buySlip = 1 + slippage;
  const sellSlip = 1 - slippage;
  const hasTrailing = tr !== null;
  const trailingOnly = sl === null && tr !== null;
  const trLong = tr === null ? NaN : 1 - tr;
  const trShort = tr === null ? NaN : 1 + tr;
  // Every rule of every bar, evaluated up front (sleeveSignals) over the whole series.
  const { entryLong, entryShort, exitLong, exitShort } = signals;

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
  let pendingAt = 0; // bar whose open fills the pending order
  let exposedBars = 0;
  const last = to - 1;

  for (let j = from; j < to; j++) {
    if (dir === 0 && pending === NONE && cash > 0) {
      // Flat with no order: each bar until the next one-sided entry signal (or the last bar) only
      // marks equity at cash. Skip to that bar, which is then processed in full.
      let k = j;
      while (k < last && entryLong[k] === entryShort[k]) k++;
      if (k > j) {
        equity.fill(cash, j - from, k - from);
        j = k;
      }
    }
    const o = open[j] as number;
    let exitPrice = 0;
    let reason = 0;

    if (pending !== NONE && j >= pendingAt) {
      if (pending === EXIT) {
        if (dir !== 0) {
          exitPrice = dir === 1 ? o * sellSlip : o * buySlip;
          reason = SIGNAL;
        }
      } else if (dir === 0) {
        dir = pending;
        entryPrice = dir === 1 ? o * buySlip : o * sellSlip;
        const notional = size * cash * leverage;
        qty = notional / entryPrice;
        entryFee = notional * fee;
        cash -= entryFee;
        entryIndex = j - from;
        extreme = entryPrice;
        slLevel = sl === null ? NaN : dir === 1 ? entryPrice * (1 - sl) : entryPrice * (1 + sl);
        tpLevel = tp === null ? NaN : dir === 1 ? entryPrice * (1 + tp) : entryPrice * (1 - tp);
      }
      pending = NONE;
    }

    if (reason === 0 && dir !== 0) {
      const h = high[j] as number;
      const l = low[j] as number;
      if (dir === 1) {
        const trLevel = hasTrailing ? extreme * trLong : NaN;
        // The trailing level names the exit only when it is strictly the tighter one.
        const trailing = trLevel > slLevel || trailingOnly;
        const stop = trailing ? trLevel : slLevel;
        const stopReason = trailing ? TRAILING_STOP : STOP_LOSS;
        if (o <= stop) {
          exitPrice = o * sellSlip;
          reason = stopReason;
        } else if (o >= tpLevel) {
          exitPrice = o * sellSlip;
          reason = TAKE_PROFIT;
        } else if (l <= stop) {
          exitPrice = stop;
          reason = stopReason;
        } else if (h >= tpLevel) {
          exitPrice = tpLevel;
          reason = TAKE_PROFIT;
        } else if (h > extreme) extreme = h;
      } else {
        const trLevel = hasTrailing ? extreme * trShort : NaN;
        const trailing = trLevel < slLevel || trailingOnly;
        const stop = trailing ? trLevel : slLevel;
        const stopReason = trailing ? TRAILING_STOP : STOP_LOSS;
        if (o >= stop) {
          exitPrice = o * buySlip;
          reason = stopReason;
        } else if (o <= tpLevel) {
          exitPrice = o * buySlip;
          reason = TAKE_PROFIT;
        } else if (h >= stop) {
          exitPrice = stop;
          reason = stopReason;
        } else if (l <= tpLevel) {
          exitPrice = tpLevel;
          reason = TAKE_PROFIT;
        } else if (l < extreme) extreme = l;
      }
    }

    if (reason !== 0) {
      const exitFee = qty * exitPrice * fee;
      const gross = dir * qty * (exitPrice - entryPrice);
      cash += gross - exitFee;
      trades.push(trade(symbolIndex, dir, entryIndex, entryPrice, j - from, exitPrice, qty, entryFee, exitFee, gross, REASONS[reason] as ExitReason));
      dir = 0;
    }

    const c = close[j] as number;
    let eq = dir === 0 ? cash : cash + dir * qty * (c - entryPrice);
    if (eq <= 0) {
      if (dir !== 0) {
        const exitFee = qty * c * fee;
        const gross = dir * qty * (c - entryPrice);
        cash += gross - exitFee;
        trades.push(trade(symbolIndex, dir, entryIndex, entryPrice, j - from, c, qty, entryFee, exitFee, gross, 'liquidation'));
        dir = 0;
      }
      // Liquidated: the sleeve stays at zero and trades no more.
      equity.fill(0, j - from);
      break;
    }
    if (j === last) {
      if (dir !== 0) {
        exposedBars++;
        const price = dir === 1 ? c * sellSlip : c * buySlip;
        const exitFee = qty * price * fee;
        const gross = dir * qty * (price - entryPrice);
        cash += gross - exitFee;
        trades.push(trade(symbolIndex, dir, entryIndex, entryPrice, j - from, price, qty, entryFee, exitFee, gross, 'end_of_data'));
        dir = 0;
        eq = cash;
      }
      equity[j - from] = eq;
      break;
    }
    equity[j - from] = eq;
    if (dir !== 0) {
      exposedBars++;
      if (pending === NONE && (dir === 1 ? exitLong[j] : exitShort[j]) !== 0) {
        pending = EXIT;
        pendingAt = j + 1 + delay;
      }
    } else if (pending === NONE) {
      const longHolds = entryLong[j] as number;
      const shortHolds = entryShort[j] as number;
      if (longHolds > shortHolds) pending = ENTER_LONG;
      else if (shortHolds > longHolds) pending = ENTER_SHORT;
      pendingAt = j + 1 + delay;
    }
  }
  return { equity, trades, exposedBars };
}

/** Bars [from, to) to trade in, and how many bars late signals are acted on. */
export interface SimRange {
  from?: number;
  to?: number;
  signalDelay?: number;
}

function trade(
  symbolIndex: number,
  dir: number,
  entryIndex: number,
  entryPrice: number,
  exitIndex: number,
  exitPrice: number,
  qty: number,
  entryFee: number,
  exitFee: number,
  gross: number,
  reason: ExitReason,
): Trade {
  return {
    symbolIndex,
    side: dir === 1 ? 'long' : 'short',
    entryIndex,
    entryPrice,
    exitIndex,
    exitPrice,
    qty,
    fees: entryFee + exitFee,
    pnl: gross - entryFee - exitFee,
    reason,
  };
}
