import { describe, expect, it } from 'vitest';
import { DataError, type CandleSeries } from '../candles/series.js';
import { parseStrategy } from '../genome/validate.js';
import { flat, series, FIXTURE_START_MS, MINUTE_MS, type Row } from '../fixtures/series.js';
import { SIG, signalStrategy, type SignalStrategyOptions } from '../fixtures/strategies.js';
import { backtest, simulate, type BacktestRun } from './backtest.js';
import type { BacktestSettings, Trade } from './types.js';

const { LONG: L, SHORT: S, EXIT: X } = SIG;

const NO_COSTS: BacktestSettings = { capital: 1000, fee: 0, slippage: 0 };

function run(rows: readonly Row[], opts: SignalStrategyOptions = {}, settings: BacktestSettings = NO_COSTS): BacktestRun {
  return simulate(signalStrategy(opts), [series('BTCUSDT', rows)], settings);
}

function onlyTrade(r: BacktestRun): Trade {
  expect(r.trades, 'exactly one trade').toHaveLength(1);
  return r.trades[0] as Trade;
}

/** Bar 0 signals a long at its close; bar 1 is the entry bar (opens at 100). */
const ENTER_LONG_AT_100: readonly Row[] = [[100, 100, 100, 100, L]];
const ENTER_SHORT_AT_100: readonly Row[] = [[100, 100, 100, 100, S]];

describe('engine: fills at the next open', () => {
  it('fills an entry signalled at the close of bar t at the open of t+1, and an exit the same way', () => {
    const r = run([
      [100, 101, 99, 100, L], // entry signal at this close
      [102, 104, 101, 103], // entry fill at 102
      [103, 105, 102, 104, X], // exit signal at this close
      [106, 107, 105, 106], // exit fill at 106
      [107, 108, 106, 107],
    ]);
    const t = onlyTrade(r);
    const qty = 1000 / 102;
    expect(t, 'entry at bar 1 open, exit at bar 3 open').toMatchObject({ entryIndex: 1, entryPrice: 102, exitIndex: 3, exitPrice: 106, reason: 'signal', side: 'long' });
    expect(t.qty).toBeCloseTo(qty, 12);
    expect(t.pnl).toBeCloseTo(qty * (106 - 102), 9);
    const want = [1000, 1000 + qty * (103 - 102), 1000 + qty * (104 - 102), 1000 + qty * 4, 1000 + qty * 4];
    want.forEach((w, i) => expect(r.equity[i], `equity marked at the close of bar ${i}`).toBeCloseTo(w, 9));
  });

  it('ignores a signal on the last bar', () => {
    const r = run([flat(100), flat(101), [101, 102, 100, 101, L]]);
    expect(r.trades, 'no bar t+1 to fill at').toHaveLength(0);
    expect(Array.from(r.equity)).toEqual([1000, 1000, 1000]);
  });

  it('enters at the last open when signalled on the bar before, and closes at the last close (end_of_data)', () => {
    const r = run([flat(100, L), [100, 103, 99, 102]], {}, { capital: 1000, fee: 0, slippage: 0.01 });
    const t = onlyTrade(r);
    expect(t).toMatchObject({ entryIndex: 1, exitIndex: 1, reason: 'end_of_data' });
    expect(t.entryPrice, 'buy at open * (1 + s)').toBeCloseTo(101, 9);
    expect(t.exitPrice, 'sell at the last close * (1 - s)').toBeCloseTo(102 * 0.99, 9);
    expect(r.equity[1], 'equity after the end_of_data close is cash').toBeCloseTo(1000 + t.pnl, 9);
  });

  it('does nothing on an entry signal while in a position or an exit signal while flat', () => {
    const r = run([flat(100, X), flat(100, L), flat(100, L), [100, 110, 100, 110, L], flat(110, X), flat(120)]);
    const t = onlyTrade(r);
    expect(t, 'one position, entered once, no pyramiding').toMatchObject({ entryIndex: 2, exitIndex: 5, exitPrice: 120, reason: 'signal' });
    expect(t.qty, 'size fixed at entry').toBeCloseTo(1000 / 100, 12);
  });

  it('does nothing when the long and the short entries both hold', () => {
    const both = parseStrategy({
      ...signalStrategy({ sides: 'both' }),
      long: { entry: [{ a: { ind: 'volume' }, op: '>', b: 1.5 }], exit: [] },
      short: { entry: [{ a: { ind: 'volume' }, op: '>', b: 1.5 }], exit: [] },
    });
    const r = simulate(both, [series('BTCUSDT', [flat(100, L), flat(100, L), flat(100)])], NO_COSTS);
    expect(r.trades).toHaveLength(0);
  });
});

describe('engine: costs', () => {
  it('applies slippage to market fills: buy at price*(1+s), sell at price*(1-s)', () => {
    const r = run([flat(100, L), [100, 104, 99, 103, X], [106, 107, 105, 106]], {}, { capital: 1000, fee: 0, slippage: 0.01 });
    const t = onlyTrade(r);
    expect(t.entryPrice, 'entry 100 * 1.01').toBeCloseTo(101, 9);
    expect(t.exitPrice, 'signal exit 106 * 0.99').toBeCloseTo(104.94, 9);
    expect(t.pnl, 'P&L net of slippage').toBeCloseTo((1000 / 101) * (104.94 - 101), 9);
    expect(r.equity[1], 'marked at close 103 against the slipped entry').toBeCloseTo(1000 + (1000 / 101) * (103 - 101), 9);
  });

  it('does not apply slippage to a stop-loss or take-profit fill at its level', () => {
    const costs = { capital: 1000, fee: 0, slippage: 0.01 };
    const stop = onlyTrade(run([flat(100, L), [100, 102, 95, 96]], { risk: { stopLoss: 0.05 } }, costs));
    expect(stop.reason).toBe('stop_loss');
    expect(stop.exitPrice, 'stop = entry 101 * 0.95, no slippage').toBeCloseTo(101 * 0.95, 9);
    const tp = onlyTrade(run([flat(100, L), [100, 112, 100, 105]], { risk: { takeProfit: 0.1 } }, costs));
    expect(tp.reason).toBe('take_profit');
    expect(tp.exitPrice, 'take-profit = entry 101 * 1.1, no slippage').toBeCloseTo(111.1, 9);
  });

  it('charges the fee on the notional of both fills', () => {
    const fee = 0.001;
    const r = run([flat(100, L), [100, 104, 99, 103, X], [110, 111, 109, 110], flat(110)], {}, { capital: 1000, fee, slippage: 0 });
    const t = onlyTrade(r);
    const qty = 1000 / 100;
    const entryFee = 1000 * fee; // notional 1000
    const exitFee = qty * 110 * fee; // 1.1
    expect(t.fees, 'entry fee + exit fee').toBeCloseTo(entryFee + exitFee, 12);
    expect(t.pnl, 'gross minus both fees').toBeCloseTo(qty * 10 - entryFee - exitFee, 9);
    expect(r.equity[1], 'the entry fee leaves cash when paid').toBeCloseTo(1000 - entryFee + qty * 3, 9);
    expect(r.equity[3], 'final equity = capital + P&L').toBeCloseTo(1000 + t.pnl, 9);
  });

  it('sizes at size * equity * leverage, with equity = cash before the entry', () => {
    const opts = { risk: { size: 0.5, leverage: 2 } };
    const r = run([flat(100, L), [100, 100, 100, 100, X], flat(120, L), flat(150), [150, 150, 150, 150, X], flat(160)], opts, { capital: 1000, fee: 0.001, slippage: 0 });
    expect(r.trades).toHaveLength(2);
    const [a, b] = r.trades as [Trade, Trade];
    expect(a.qty, 'first: 0.5 * 1000 * 2 / 100').toBeCloseTo(10, 12);
    const cashAfterFirst = 1000 + a.pnl;
    expect(b.qty, 'second: 0.5 * cash after the first trade * 2 / 150').toBeCloseTo((0.5 * cashAfterFirst * 2) / 150, 12);
    expect(b.fees).toBeCloseTo(cashAfterFirst * 0.001 + b.qty * 160 * 0.001, 12);
  });
});

describe('engine: stops and take-profits (long)', () => {
  const risk = { stopLoss: 0.05, takeProfit: 0.1 }; // entry 100: stop 95, take-profit 110
  const costs = { capital: 1000, fee: 0, slippage: 0.01 };
  /** Entry at bar 1 (open 100, slipped to 101 with costs): use the no-slippage settings for round levels. */
  const withBar2 = (bar2: Row): Row[] => [...ENTER_LONG_AT_100, [100, 101, 99, 100], bar2, flat(100)];

  it('exits at the stop level when the low touches it', () => {
    const t = onlyTrade(run(withBar2([98, 99, 94, 96]), { risk }));
    expect(t).toMatchObject({ exitIndex: 2, reason: 'stop_loss' });
    expect(t.exitPrice).toBeCloseTo(95, 9);
  });

  it('exits at the take-profit level when the high touches it', () => {
    const t = onlyTrade(run(withBar2([102, 111, 101, 105]), { risk }));
    expect(t).toMatchObject({ exitIndex: 2, reason: 'take_profit' });
    expect(t.exitPrice).toBeCloseTo(110, 9);
  });

  it('takes the stop when both levels lie inside the bar (the intrabar path is unknown)', () => {
    const t = onlyTrade(run(withBar2([100, 111, 94, 105]), { risk }));
    expect(t).toMatchObject({ exitIndex: 2, reason: 'stop_loss' });
    expect(t.exitPrice).toBeCloseTo(95, 9);
  });

  it('exits at the open, with slippage, when the bar gaps through the stop', () => {
    const r = simulate(signalStrategy({ risk }), [series('BTCUSDT', withBar2([93, 94, 90, 92]))], costs);
    const t = onlyTrade(r);
    expect(t).toMatchObject({ exitIndex: 2, reason: 'stop_loss' });
    expect(t.exitPrice, 'open 93 * (1 - s), not the stop level 95.95').toBeCloseTo(93 * 0.99, 9);
  });

  it('treats an open exactly at the stop as a gap (at or beyond): the open with slippage, not the level', () => {
    // binary-exact numbers: entry 100 * 1.25 = 125, stop 125 * 0.5 = 62.5, gap fill 62.5 * 0.75
    const r = simulate(signalStrategy({ risk: { stopLoss: 0.5 } }), [series('BTCUSDT', withBar2([62.5, 64, 60, 63]))], { capital: 1000, fee: 0, slippage: 0.25 });
    const t = onlyTrade(r);
    expect(t).toMatchObject({ exitIndex: 2, reason: 'stop_loss', entryPrice: 125 });
    expect(t.exitPrice).toBe(46.875);
  });

  it('treats an open exactly at the take-profit as a gap', () => {
    // entry 125, take-profit 125 * 1.5 = 187.5, gap fill 187.5 * 0.75
    const r = simulate(signalStrategy({ risk: { takeProfit: 0.5 } }), [series('BTCUSDT', withBar2([187.5, 190, 186, 188]))], { capital: 1000, fee: 0, slippage: 0.25 });
    const t = onlyTrade(r);
    expect(t).toMatchObject({ exitIndex: 2, reason: 'take_profit' });
    expect(t.exitPrice).toBe(140.625);
  });

  it('exits at the open, with slippage, when the bar gaps beyond the take-profit', () => {
    const r = simulate(signalStrategy({ risk }), [series('BTCUSDT', withBar2([115, 116, 113, 114]))], costs);
    const t = onlyTrade(r);
    expect(t).toMatchObject({ exitIndex: 2, reason: 'take_profit' });
    expect(t.exitPrice, 'open 115 * (1 - s), above the level 111.1').toBeCloseTo(115 * 0.99, 9);
  });

  it('checks the entry bar itself', () => {
    const t = onlyTrade(run([...ENTER_LONG_AT_100, [100, 101, 94, 96], flat(96)], { risk }));
    expect(t, 'entered and stopped in bar 1').toMatchObject({ entryIndex: 1, exitIndex: 1, reason: 'stop_loss' });
    expect(t.exitPrice).toBeCloseTo(95, 9);
  });

  it('stops out at the entry open when the stop is tighter than the slippage (entry*(1-sl) above the open)', () => {
    const settings = { capital: 1000, fee: 0, slippage: 0.0005 };
    const r = simulate(signalStrategy({ risk: { stopLoss: 0.0002 } }), [series('BTCUSDT', [...ENTER_LONG_AT_100, [100, 101, 99.99, 100.5], flat(100)])], settings);
    const t = onlyTrade(r);
    expect(t, 'stop 100.05 * 0.9998 = 100.03 > open 100: a gap at the entry bar').toMatchObject({ entryIndex: 1, exitIndex: 1, reason: 'stop_loss' });
    expect(t.exitPrice).toBeCloseTo(100 * 0.9995, 9);
  });

  it('evaluates a new entry at the close of the bar in which a stop closed the position', () => {
    const r = run([...ENTER_LONG_AT_100, [100, 101, 94, 96, L], [97, 98, 96, 97], flat(97)], { risk });
    expect(r.trades).toHaveLength(2);
    const [first, second] = r.trades as [Trade, Trade];
    expect(first, 'stopped in bar 1').toMatchObject({ exitIndex: 1, reason: 'stop_loss' });
    expect(second, 'the bar-1 close signal fills at the bar-2 open').toMatchObject({ entryIndex: 2, entryPrice: 97, exitIndex: 3, reason: 'end_of_data' });
  });

  it('does not fill an exit signal when a stop closed the position in that bar', () => {
    const r = run([...ENTER_LONG_AT_100, [100, 101, 94, 96, X], flat(96), flat(96)], { risk });
    const t = onlyTrade(r);
    expect(t).toMatchObject({ exitIndex: 1, reason: 'stop_loss' });
  });

  it('reports a pending signal exit at an open beyond the stop as `signal` (same price as the gap rule: the open with slippage)', () => {
    // The semantics do not order a signal fill and a gap stop at the same open; the engine fills the
    // pending market order first, and so does the golden reference (strategy 003: the short closed at
    // the 2025-05-19T00:00Z open, above its stop, is a `signal` exit). The price is the same either way.
    const r = simulate(signalStrategy({ risk }), [series('BTCUSDT', [...ENTER_LONG_AT_100, [100, 101, 99, 100, X], [90, 91, 89, 90], flat(90)])], costs);
    const t = onlyTrade(r);
    expect(t).toMatchObject({ exitIndex: 2, reason: 'signal' });
    expect(t.exitPrice).toBeCloseTo(90 * 0.99, 9);
  });
});

describe('engine: trailing stop (long)', () => {
  // Entry at 100 in bar 1, trailing 10%.
  // bar 1 (entry bar): peak = entry price 100 -> level 90; low 91 survives
  //   (had the peak used bar 1's own high 120, the level would be 108 and the low 91 would hit it)
  // bar 2: peak = 120 (high of bar 1) -> level 108; low 109 survives (bar 2's own high 130 would give 117)
  // bar 3: peak = 130 -> level 117; low 116 hits it
  const rows: Row[] = [...ENTER_LONG_AT_100, [100, 120, 91, 115], [115, 130, 109, 125], [125, 126, 116, 120], flat(120)];

  it('trails the highest high up to the bar before the one checked, from the entry price', () => {
    const t = onlyTrade(run(rows, { risk: { trailingStop: 0.1 } }));
    expect(t).toMatchObject({ entryIndex: 1, exitIndex: 3, reason: 'trailing_stop' });
    expect(t.exitPrice, '130 * 0.9, no slippage at the level').toBeCloseTo(117, 9);
  });

  it('names the exit trailing_stop when the trailing level is the tighter one', () => {
    const t = onlyTrade(run(rows, { risk: { trailingStop: 0.1, stopLoss: 0.2 } }));
    expect(t, 'trailing 117 is above the stop 80').toMatchObject({ exitIndex: 3, reason: 'trailing_stop' });
    expect(t.exitPrice).toBeCloseTo(117, 9);
  });

  it('names the exit stop_loss when the fixed stop is tighter', () => {
    const t = onlyTrade(run([...ENTER_LONG_AT_100, [100, 101, 94, 96], flat(96)], { risk: { trailingStop: 0.1, stopLoss: 0.05 } }));
    expect(t, 'stop 95 is above the trailing 90').toMatchObject({ exitIndex: 1, reason: 'stop_loss' });
    expect(t.exitPrice).toBeCloseTo(95, 9);
  });

  it('names the exit stop_loss when both levels are equal (trailing only when strictly tighter)', () => {
    const t = onlyTrade(run([...ENTER_LONG_AT_100, [100, 101, 89, 96], flat(96)], { risk: { trailingStop: 0.1, stopLoss: 0.1 } }));
    expect(t).toMatchObject({ exitIndex: 1, reason: 'stop_loss' });
    expect(t.exitPrice).toBeCloseTo(90, 9);
  });

  it('starts the peak at the entry fill price even when slippage puts it above every later high', () => {
    // entry 100 * 1.01 = 101, above the entry bar's high 100; trailing 5%: level 101 * 0.95 = 95.95
    // bar 2 low 95.5 hits it (a peak from highs alone, 100, would give 95 and no exit).
    // The golden results pin this reading: hundreds of their trailing exits sit at the entry price's level.
    const rows: Row[] = [...ENTER_LONG_AT_100, [100, 100, 96, 99], [97, 98, 95.5, 96], flat(96)];
    const r = simulate(signalStrategy({ risk: { trailingStop: 0.05 } }), [series('BTCUSDT', rows)], { capital: 1000, fee: 0, slippage: 0.01 });
    const t = onlyTrade(r);
    expect(t).toMatchObject({ exitIndex: 2, reason: 'trailing_stop' });
    expect(t.exitPrice).toBeCloseTo(101 * 0.95, 9);
  });

  it('gaps through the trailing level at the open with slippage', () => {
    const gap: Row[] = [...ENTER_LONG_AT_100, [100, 120, 91, 115], [105, 106, 104, 105], flat(105)];
    const r = simulate(signalStrategy({ risk: { trailingStop: 0.1 } }), [series('BTCUSDT', gap)], { capital: 1000, fee: 0, slippage: 0.01 });
    // entry 101 (slipped); peak after bar 1 = max(101, 120) = 120 -> level 108 > open 105
    const t = onlyTrade(r);
    expect(t).toMatchObject({ exitIndex: 2, reason: 'trailing_stop' });
    expect(t.exitPrice).toBeCloseTo(105 * 0.99, 9);
  });
});

describe('engine: shorts mirror longs', () => {
  const risk = { stopLoss: 0.05, takeProfit: 0.1 }; // entry 100: stop 105, take-profit 90
  const withBar2 = (bar2: Row): Row[] => [...ENTER_SHORT_AT_100, [100, 101, 99, 100], bar2, flat(100)];
  const runShort = (rows: readonly Row[], r: SignalStrategyOptions['risk'] = risk, settings = NO_COSTS) =>
    simulate(signalStrategy({ sides: 'short', risk: r }), [series('BTCUSDT', rows)], settings);

  it('sells at open*(1-s), buys back at open*(1+s), and earns when the price falls', () => {
    const r = runShort([flat(100, S), [100, 101, 98, 99, X], [90, 91, 89, 90], flat(90)], {}, { capital: 1000, fee: 0, slippage: 0.01 });
    const t = onlyTrade(r);
    expect(t).toMatchObject({ side: 'short', entryIndex: 1, exitIndex: 2, reason: 'signal' });
    expect(t.entryPrice).toBeCloseTo(99, 9);
    expect(t.exitPrice).toBeCloseTo(90.9, 9);
    expect(t.pnl, 'qty * (entry - exit)').toBeCloseTo((1000 / 99) * (99 - 90.9), 9);
    expect(r.equity[1], 'marked at close 99 against entry 99').toBeCloseTo(1000, 9);
  });

  it('stops out when the high touches entry*(1+sl)', () => {
    const t = onlyTrade(runShort(withBar2([102, 106, 101, 104])));
    expect(t).toMatchObject({ exitIndex: 2, reason: 'stop_loss' });
    expect(t.exitPrice).toBeCloseTo(105, 9);
    expect(t.pnl).toBeLessThan(0);
  });

  it('takes profit when the low touches entry*(1-tp)', () => {
    const t = onlyTrade(runShort(withBar2([98, 99, 89, 92])));
    expect(t).toMatchObject({ exitIndex: 2, reason: 'take_profit' });
    expect(t.exitPrice).toBeCloseTo(90, 9);
  });

  it('takes the stop when both levels lie inside the bar', () => {
    const t = onlyTrade(runShort(withBar2([100, 106, 89, 95])));
    expect(t).toMatchObject({ exitIndex: 2, reason: 'stop_loss' });
    expect(t.exitPrice).toBeCloseTo(105, 9);
  });

  it('gaps through the stop or beyond the take-profit at the open, buying back with slippage', () => {
    const costs = { capital: 1000, fee: 0, slippage: 0.01 };
    const up = onlyTrade(runShort(withBar2([108, 109, 107, 108]), risk, costs));
    expect(up).toMatchObject({ exitIndex: 2, reason: 'stop_loss' });
    expect(up.exitPrice).toBeCloseTo(108 * 1.01, 9);
    const down = onlyTrade(runShort(withBar2([85, 86, 84, 85]), risk, costs));
    expect(down).toMatchObject({ exitIndex: 2, reason: 'take_profit' });
    expect(down.exitPrice).toBeCloseTo(85 * 1.01, 9);
  });

  it('trails the lowest low up to the bar before the one checked', () => {
    // entry 100, trailing 10%: bar 1 level 110 (trough = entry), high 109 survives;
    // bar 2: trough 80 (low of bar 1) -> level 88, high 87.5 survives; bar 3: trough 75 -> 82.5, high 83 hits
    const rows: Row[] = [...ENTER_SHORT_AT_100, [100, 109, 80, 85], [85, 87.5, 75, 78], [78, 83, 77, 80], flat(80)];
    const t = onlyTrade(runShort(rows, { trailingStop: 0.1 }));
    expect(t).toMatchObject({ exitIndex: 3, reason: 'trailing_stop' });
    expect(t.exitPrice).toBeCloseTo(82.5, 9);
  });

  it('closes an open short at the last close * (1+s) at the end of data', () => {
    const r = runShort([flat(100, S), flat(100), [95, 96, 94, 95]], {}, { capital: 1000, fee: 0, slippage: 0.01 });
    const t = onlyTrade(r);
    expect(t).toMatchObject({ exitIndex: 2, reason: 'end_of_data' });
    expect(t.exitPrice).toBeCloseTo(95 * 1.01, 9);
  });
});

describe('engine: liquidation', () => {
  it('closes at the close without slippage when equity <= 0, charges the fee, then stays at 0 and trades no more', () => {
    const fee = 0.001;
    const r = run(
      [flat(100, L), [100, 100, 70, 70], flat(100, L), flat(100, L), flat(100)],
      { risk: { leverage: 5 } },
      { capital: 1000, fee, slippage: 0.01 },
    );
    const t = onlyTrade(r);
    // entry 101 (slipped), qty 5000/101, entry fee 5; at close 70: 995 + qty*(70-101) < 0
    const qty = 5000 / 101;
    expect(t).toMatchObject({ entryIndex: 1, exitIndex: 1, reason: 'liquidation', exitPrice: 70 });
    expect(t.fees).toBeCloseTo(5 + qty * 70 * fee, 9);
    expect(t.pnl).toBeCloseTo(qty * (70 - 101) - 5 - qty * 70 * fee, 9);
    expect(Array.from(r.equity), 'equity 0 from the liquidation bar on, signals ignored').toEqual([1000, 0, 0, 0, 0]);
  });

  it('liquidates at exactly zero equity', () => {
    // leverage 5 from 100: qty 50, at close 80 equity = 1000 + 50*(80-100) = 0
    const r = run([flat(100, L), [100, 100, 80, 80], flat(100)], { risk: { leverage: 5 } });
    expect(onlyTrade(r).reason).toBe('liquidation');
    expect(Array.from(r.equity)).toEqual([1000, 0, 0]);
  });

  it('does not liquidate a sleeve whose equity dips below 0 only intrabar', () => {
    const r = run([flat(100, L), [100, 100, 70, 90], flat(90)], { risk: { leverage: 5 } });
    expect(onlyTrade(r).reason, 'the low is not a close').toBe('end_of_data');
  });
});

describe('engine: several symbols', () => {
  const btc: Row[] = [flat(100, L), [100, 110, 100, 110], [110, 111, 94, 96], flat(96)];
  const eth: Row[] = [flat(10, L), [10, 10, 9, 9.5, L], [9.6, 9.6, 9, 9.2], flat(9.2)];

  it('runs equal sleeves of capital / k and sums their equity', () => {
    const doc = signalStrategy({ symbols: ['BTCUSDT', 'ETHUSDT'], risk: { stopLoss: 0.05 } });
    const r = simulate(doc, [series('BTCUSDT', btc), series('ETHUSDT', eth)], NO_COSTS);
    const [a, b] = r.sleeves;
    if (a === undefined || b === undefined) throw new Error('two sleeves expected');
    expect(a.equity[0], 'each sleeve starts with 1000 / 2').toBe(500);
    for (let t = 0; t < btc.length; t++) {
      expect(r.equity[t], `bar ${t}: strategy equity = sum of the sleeves`).toBe((a.equity[t] as number) + (b.equity[t] as number));
    }
    expect(a.equity[1], 'BTC sleeve: 5 units marked at 110').toBeCloseTo(500 + 5 * 10, 9);
  });

  it('orders trades by exit bar, then the symbol position in `symbols`, then entry bar', () => {
    // ETH: stopped at 9.5 in bar 1, re-entered at 9.6 in bar 2 and stopped at 9.12 in bar 2;
    // BTC: entered at 100 in bar 1, stopped at 95 in bar 2.
    const series2 = [series('BTCUSDT', btc), series('ETHUSDT', eth)];
    const doc = signalStrategy({ symbols: ['BTCUSDT', 'ETHUSDT'], risk: { stopLoss: 0.05 } });
    const r = simulate(doc, series2, NO_COSTS);
    expect(r.trades.map((t) => [t.exitIndex, t.symbolIndex, t.entryIndex])).toEqual([
      [1, 1, 1],
      [2, 0, 1],
      [2, 1, 2],
    ]);
    const reversed = simulate({ ...doc, symbols: ['ETHUSDT', 'BTCUSDT'] }, [...series2].reverse(), NO_COSTS);
    expect(reversed.trades.map((t) => [t.exitIndex, t.symbolIndex, t.entryIndex]), 'ETH first when it is listed first').toEqual([
      [1, 0, 1],
      [2, 0, 2],
      [2, 1, 1],
    ]);
    const json = backtest(doc, series2, NO_COSTS);
    expect(json.trades.map((t) => t.symbol)).toEqual(['ETHUSDT', 'BTCUSDT', 'ETHUSDT']);
    expect(json.perSymbol.BTCUSDT?.trades).toBe(1);
    expect(json.perSymbol.ETHUSDT?.trades).toBe(2);
    expect(json.metrics.trades, 'trade statistics over all trades').toBe(3);
    expect(json.perSymbol.BTCUSDT?.totalReturn, 'per-symbol return on the sleeve capital: 5 units lost 5 each of 500').toBeCloseTo(-25 / 500, 12);
  });

  it('keeps the other sleeve trading when one is liquidated', () => {
    const doc = signalStrategy({ symbols: ['BTCUSDT', 'ETHUSDT'], risk: { leverage: 5 } });
    const crash: Row[] = [flat(100, L), [100, 100, 70, 70], flat(100), flat(100)];
    const calm: Row[] = [flat(10, L), flat(10), flat(11), flat(12)];
    const r = simulate(doc, [series('BTCUSDT', crash), series('ETHUSDT', calm)], NO_COSTS);
    expect(Array.from(r.sleeves[0]?.equity ?? [])).toEqual([500, 0, 0, 0]);
    expect(r.equity[3], 'ETH sleeve only: 250 units (5 * 500 / 10) gained 2 each').toBeCloseTo(500 + 250 * 2, 9);
  });

  it('refuses series that do not share timestamps, naming the symbol, timeframe and ts', () => {
    const doc = signalStrategy({ symbols: ['BTCUSDT', 'ETHUSDT'], timeframe: '1h' });
    const step = 60 * MINUTE_MS;
    const rows = [flat(1), flat(1), flat(1)];
    const a = series('BTCUSDT', rows, { stepMs: step, timeframe: '1h' });
    const cases: { b: CandleSeries; first?: CandleSeries; symbol: string; ts: number; what: string }[] = [
      { b: series('ETHUSDT', rows, { stepMs: step, timeframe: '1h', startMs: FIXTURE_START_MS + step }), symbol: 'ETHUSDT', ts: FIXTURE_START_MS, what: 'ETH starts a bar later' },
      { b: series('ETHUSDT', rows.slice(0, 2), { stepMs: step, timeframe: '1h' }), symbol: 'ETHUSDT', ts: FIXTURE_START_MS + 2 * step, what: 'ETH lacks the last bar' },
      { b: series('ETHUSDT', [...rows, flat(1)], { stepMs: step, timeframe: '1h' }), symbol: 'BTCUSDT', ts: FIXTURE_START_MS + 3 * step, what: 'BTC lacks the last bar' },
    ];
    for (const c of cases) {
      let error: unknown;
      try {
        backtest(doc, [a, c.b], NO_COSTS);
      } catch (err) {
        error = err;
      }
      expect(error, c.what).toBeInstanceOf(DataError);
      const e = error as DataError;
      expect({ kind: e.kind, symbol: e.symbol, timeframe: e.timeframe, ts: e.tsMs }, c.what).toEqual({ kind: 'misaligned', symbol: c.symbol, timeframe: '1h', ts: c.ts });
      expect(e.message, c.what).toContain(new Date(c.ts).toISOString());
      expect(e.message, c.what).toContain(c.symbol);
    }
  });
});

describe('engine: result JSON', () => {
  it('reports fill times as bar open times, the bar range, exposure and monthly returns', () => {
    // 1h bars from 2025-01-31T21:00Z: bars 0-2 in January, 3-5 in February
    const step = 60 * MINUTE_MS;
    const startMs = Date.UTC(2025, 0, 31, 21);
    const rows: Row[] = [flat(100, L), flat(110), [120, 120, 120, 120, X], flat(130), flat(140), flat(150)];
    const doc = signalStrategy({ timeframe: '1h' });
    const result = backtest(doc, [series('BTCUSDT', rows, { startMs, stepMs: step, timeframe: '1h' })], NO_COSTS);
    expect(result).toMatchObject({ bars: 6, from: '2025-01-31T21:00:00.000Z', to: '2025-02-01T02:00:00.000Z', timeframe: '1h', strategy: doc.name });
    expect(result.trades).toEqual([
      { symbol: 'BTCUSDT', side: 'long', entryTime: '2025-01-31T22:00:00.000Z', entryPrice: 110, exitTime: '2025-02-01T00:00:00.000Z', exitPrice: 130, qty: 1000 / 110, fees: 0, pnl: (1000 / 110) * 20, reason: 'signal' },
    ]);
    // in a position at the closes of bars 1 and 2 (entered at the bar-1 open, left at the bar-3 open)
    expect(result.metrics.exposure).toBeCloseTo(2 / 6, 12);
    // January ends at bar 2: equity 1000 + (1000/110)*10; February ends at 1000 + (1000/110)*20
    const jan = 1000 + (1000 / 110) * 10;
    const feb = 1000 + (1000 / 110) * 20;
    expect(Object.keys(result.metrics.monthlyReturns)).toEqual(['2025-01', '2025-02']);
    expect(result.metrics.monthlyReturns['2025-01']).toBeCloseTo(jan / 1000 - 1, 12);
    expect(result.metrics.monthlyReturns['2025-02']).toBeCloseTo(feb / jan - 1, 12);
    expect(result.metrics.totalReturn).toBeCloseTo(feb / 1000 - 1, 12);
    expect(result.metrics).toMatchObject({ trades: 1, winRate: 1, profitFactor: null, longestWinStreak: 1, longestLossStreak: 0, maxDrawdown: 0 });
  });

  it('counts the last bar close as exposed when a position is still open there (closed at end_of_data)', () => {
    const result = backtest(signalStrategy(), [series('BTCUSDT', [flat(100, L), flat(100), flat(100), flat(100)])], NO_COSTS);
    expect(result.trades.map((t) => t.reason)).toEqual(['end_of_data']);
    expect(result.metrics.exposure, 'open at the closes of bars 1, 2 and 3').toBe(3 / 4);
  });

  it('averages exposure over the sleeves', () => {
    const doc = signalStrategy({ symbols: ['BTCUSDT', 'ETHUSDT'] });
    const result = backtest(doc, [series('BTCUSDT', [flat(100, L), flat(100), flat(100), flat(100)]), series('ETHUSDT', [flat(10), flat(10), flat(10, L), flat(10)])], NO_COSTS);
    expect(result.perSymbol.BTCUSDT?.exposure).toBe(3 / 4);
    expect(result.perSymbol.ETHUSDT?.exposure).toBe(1 / 4);
    expect(result.metrics.exposure, 'mean of 3/4 and 1/4').toBe(0.5);
  });

  it('is deterministic: the same inputs give the same result', () => {
    const rows: Row[] = [flat(100, L), [100, 104, 96, 101], [101, 107, 99, 106, X], flat(104, S), flat(102)];
    const doc = signalStrategy({ sides: 'both', risk: { stopLoss: 0.03, trailingStop: 0.02 } });
    const settings = { capital: 1000, fee: 0.0006, slippage: 0.0005 };
    expect(backtest(doc, [series('BTCUSDT', rows)], settings)).toEqual(backtest(doc, [series('BTCUSDT', rows)], settings));
  });
});
