import { afterAll, describe, expect, it } from 'vitest';
import { resample } from '../candles/resample.js';
import { sliceSeries, type CandleSeries } from '../candles/series.js';
import { timeframeMs, type Timeframe } from '../candles/timeframe.js';
import { randomStrategy } from '../genome/random.js';
import type { IndicatorOperand, Operand, StrategyDocument } from '../genome/schema.js';
import { parseStrategy } from '../genome/validate.js';
import { createRng } from '../util/rng.js';
import { alterLastBar, firstDifference, sleeveLookAheadProblems, sleeveOpenProblems } from '../fixtures/no-lookahead.js';
import { REAL_SYMBOLS, realSeries5m, type RealSymbol } from '../fixtures/real-data.js';
import { simulate } from './backtest.js';
import { IndicatorCache } from './indicator-cache.js';
import { anyRuleHolds, compileRules, rulesHold, type CompiledRules } from './rules.js';
import { DEFAULT_SETTINGS } from './types.js';

const SETTINGS = { ...DEFAULT_SETTINGS };
const STRATEGIES = 40;
/** Cut points in 5m bars of the real data (25920 bars): early, middle, late. */
const CUTS_5M = [6007, 14011, 22501];

const fullSeriesMemo = new Map<string, CandleSeries>();
function fullSeries(symbol: RealSymbol, tf: Timeframe): CandleSeries {
  const key = `${symbol}:${tf}`;
  let s = fullSeriesMemo.get(key);
  if (s === undefined) {
    s = resample(realSeries5m(symbol), tf, timeframeMs(tf));
    fullSeriesMemo.set(key, s);
  }
  return s;
}

/** The data a live run would have had: 5m bars [0, cut5m), resampled (an incomplete last bucket is dropped). */
const truncatedSeries = (symbol: RealSymbol, tf: Timeframe, cut5m: number): CandleSeries =>
  resample(sliceSeries(realSeries5m(symbol), 0, cut5m), tf, timeframeMs(tf));

/** The distinct indicator operands of a document. */
function operands(doc: StrategyDocument): IndicatorOperand[] {
  const conditions = [doc.long, doc.short].flatMap((s) => (s === null ? [] : [...s.entry, ...s.exit]));
  const all = conditions.flatMap((c) => [c.a, c.b]).filter((o: Operand): o is IndicatorOperand => typeof o !== 'number');
  return [...new Map(all.map((o) => [JSON.stringify(o), o])).values()];
}

const operandLabel = (o: IndicatorOperand): string => JSON.stringify(o);

/** Rule outcomes at bar t: long entry, short entry, long exit, short exit. */
function signalsAt(r: CompiledRules, t: number): [boolean, boolean, boolean, boolean] {
  return [r.entry[0] !== null && rulesHold(r.entry[0], t), r.entry[1] !== null && rulesHold(r.entry[1], t), anyRuleHolds(r.exit[0], t), anyRuleHolds(r.exit[1], t)];
}

interface Report {
  /** Indicator columns that differ before the cut. */
  columns: string[];
  /** Entry/exit rule outcomes that differ before the cut. */
  signals: string[];
  /** Equity and trades (sleeveLookAheadProblems), and the summed curve. */
  runs: string[];
  /**
   * Differences before the open of the last bar between runs whose last bar differs in its
   * high, low, close and volume (as it is, and closing `lastBarFactor` times its open): what
   * fills at a bar's open may depend only on earlier bars. Truncation alone cannot see a rule
   * read one bar early (both runs hold that bar); this can.
   */
  lastBar: string[];
  /** Bars in the truncated run. */
  cut: number;
  tradesCompared: number;
  positionsAcrossCut: number;
}

/**
 * Runs `doc` on the full real data and on the data cut at `cut5m`, and lists every difference
 * before the cut. `cache` builds the indicator cache of each run (tests pass a cheating one).
 */
function lookAheadReport(doc: StrategyDocument, cut5m: number, cache: () => IndicatorCache = () => new IndicatorCache(), lastBarFactor = 1.2): Report {
  const symbols = doc.symbols as RealSymbol[];
  const tf = doc.timeframe;
  const full = symbols.map((s) => fullSeries(s, tf));
  const truncated = symbols.map((s) => truncatedSeries(s, tf, cut5m));
  const cut = (truncated[0] as CandleSeries).tsMs.length;
  const report: Report = { columns: [], signals: [], runs: [], lastBar: [], cut, tradesCompared: 0, positionsAcrossCut: 0 };
  const fullCache = cache();
  const truncCache = cache();
  const fullRun = simulate(doc, full, SETTINGS, fullCache);
  const truncRun = simulate(doc, truncated, SETTINGS, truncCache);

  symbols.forEach((symbol, k) => {
    const f = full[k] as CandleSeries;
    const t = truncated[k] as CandleSeries;
    const ts = firstDifference(f.tsMs, t.tsMs, cut);
    if (ts !== -1 || cut >= f.tsMs.length) report.runs.push(`${symbol}: the truncated bars are not a proper prefix (first difference ${ts})`);
    for (const o of operands(doc)) {
      const i = firstDifference(fullCache.column(f, o), truncCache.column(t, o), cut);
      if (i !== -1) report.columns.push(`${symbol} ${operandLabel(o)} differs at bar ${i} of ${cut}`);
    }
    const fr = compileRules(doc, f, fullCache);
    const tr = compileRules(doc, t, truncCache);
    for (let b = 0; b < cut; b++) {
      const a = signalsAt(fr, b);
      const c = signalsAt(tr, b);
      if (a.some((x, j) => x !== c[j])) {
        report.signals.push(`${symbol} signals at bar ${b} of ${cut}: full ${a.join()} vs truncated ${c.join()}`);
        break;
      }
    }
    const sleeveFull = fullRun.sleeves[k];
    const sleeveTrunc = truncRun.sleeves[k];
    if (sleeveFull === undefined || sleeveTrunc === undefined) throw new Error('one sleeve per symbol');
    report.runs.push(...sleeveLookAheadProblems({ full: sleeveFull, truncated: sleeveTrunc, close: f.close }, cut, SETTINGS).map((p) => `${symbol}: ${p}`));
    report.tradesCompared += sleeveTrunc.trades.length;
    report.positionsAcrossCut += sleeveTrunc.trades.filter((x) => x.reason === 'end_of_data').length;
  });
  const e = firstDifference(fullRun.equity, truncRun.equity, cut - 1);
  if (e !== -1) report.runs.push(`summed equity differs at bar ${e}`);

  const last = cut - 1;
  for (const factor of [lastBarFactor]) {
    const altered = truncated.map((s) => alterLastBar(s, factor));
    const altCache = cache();
    const altRun = simulate(doc, altered, SETTINGS, altCache);
    const where = `last bar closing ${factor > 1 ? 'up' : 'down'}`;
    symbols.forEach((symbol, k) => {
      const t = truncated[k] as CandleSeries;
      const a = altered[k] as CandleSeries;
      for (const o of operands(doc)) {
        const i = firstDifference(truncCache.column(t, o), altCache.column(a, o), last);
        if (i !== -1) report.lastBar.push(`${where}: ${symbol} ${operandLabel(o)} differs at bar ${i} of ${cut}`);
      }
      const tr = compileRules(doc, t, truncCache);
      const ar = compileRules(doc, a, altCache);
      for (let b = 0; b < last; b++) {
        if (signalsAt(tr, b).join() !== signalsAt(ar, b).join()) {
          report.lastBar.push(`${where}: ${symbol} signals differ at bar ${b} of ${cut}`);
          break;
        }
      }
      const x = truncRun.sleeves[k];
      const y = altRun.sleeves[k];
      if (x === undefined || y === undefined) throw new Error('one sleeve per symbol');
      report.lastBar.push(...sleeveOpenProblems(x, y, last).map((p) => `${where}: ${symbol}: ${p}`));
    });
    const d = firstDifference(truncRun.equity, altRun.equity, last);
    if (d !== -1) report.lastBar.push(`${where}: summed equity differs at bar ${d}`);
  }
  return report;
}

const totals = { runs: 0, tradesCompared: 0, positionsAcrossCut: 0, strategiesWithTrades: 0 };

describe('no look-ahead: a run on bars [0, cut) agrees with the full run before the cut', () => {
  for (let seed = 0; seed < STRATEGIES; seed++) {
    const doc = randomStrategy(createRng(`no-lookahead-${seed}`), { symbols: REAL_SYMBOLS });
    it(`${doc.name} (${doc.symbols.join(',')})`, () => {
      let trades = 0;
      for (const [i, cut5m] of CUTS_5M.entries()) {
        // the last bar closes 20% up or down, alternating over cuts and strategies
        const r = lookAheadReport(doc, cut5m, undefined, (seed + i) % 2 === 0 ? 1.2 : 0.8);
        expect([...r.columns, ...r.signals, ...r.runs, ...r.lastBar], `cut at 5m bar ${cut5m} (${r.cut} ${doc.timeframe} bars)`).toEqual([]);
        totals.runs++;
        totals.tradesCompared += r.tradesCompared;
        totals.positionsAcrossCut += r.positionsAcrossCut;
        trades += r.tradesCompared;
      }
      if (trades > 0) totals.strategiesWithTrades++;
    });
  }

  afterAll(() => {
    // The property is only as strong as what it exercised.
    expect(totals.runs, 'every strategy at every cut').toBe(STRATEGIES * CUTS_5M.length);
    expect(totals.strategiesWithTrades, 'most random strategies trade before the cuts').toBeGreaterThanOrEqual(STRATEGIES / 2);
    expect(totals.tradesCompared, 'trades compared').toBeGreaterThan(1000);
    expect(totals.positionsAcrossCut, 'positions open across a cut (the end_of_data rule)').toBeGreaterThanOrEqual(10);
  });
});

describe('the no-look-ahead check can fail', () => {
  /** An "indicator" that reads `shift` bars ahead: close[t + shift] (NaN past the end), posing as SMA(2). */
  class PeekingCache extends IndicatorCache {
    constructor(readonly shift: number) {
      super();
    }
    override column(series: CandleSeries, o: Operand): Float64Array {
      if (typeof o !== 'number' && o.ind === 'sma' && o.period === 2) {
        const c = series.close;
        return Float64Array.from(c, (_, t) => (t + this.shift < c.length ? (c[t + this.shift] as number) : NaN));
      }
      return super.column(series, o);
    }
  }
  const future = { ind: 'sma', period: 2 } as const;
  // The stop is tighter than the slippage, so every position closes at its entry bar's open and
  // the entry rule is evaluated at every close: whatever the rule sees, it acts on at once.
  const peeking = (entry: 'defined' | 'rises') =>
    parseStrategy({
      version: 1,
      name: `peeks-ahead-${entry}`,
      type: 'momentum',
      timeframe: '1h',
      symbols: ['BTCUSDT'],
      long: { entry: [entry === 'defined' ? { a: future, op: '>', b: 0 } : { a: future, op: '>', b: { ind: 'close' } }], exit: [] },
      short: null,
      risk: { size: 1, leverage: 1, stopLoss: 0.0001 },
    });
  const all = (r: Report): string[] => [...r.columns, ...r.signals, ...r.runs, ...r.lastBar];

  it('passes the honest engine on these strategies (the sentinel operand is a plain SMA(2) there)', () => {
    for (const cut5m of CUTS_5M) {
      for (const kind of ['defined', 'rises'] as const) {
        const r = lookAheadReport(peeking(kind), cut5m);
        expect(all(r), `${kind}, cut ${cut5m}`).toEqual([]);
        expect(r.tradesCompared, `${kind}, cut ${cut5m}: it trades`).toBeGreaterThan(100);
      }
    }
  });

  it('catches a column that reads the next bar, and the signal acting on it', () => {
    for (const cut5m of CUTS_5M) {
      const r = lookAheadReport(peeking('defined'), cut5m, () => new PeekingCache(1));
      expect(r.columns, `cut ${cut5m}: the column differs at bar cut-1`).toEqual([`BTCUSDT ${JSON.stringify(future)} differs at bar ${r.cut - 1} of ${r.cut}`]);
      expect(r.signals, `cut ${cut5m}: the entry signal differs at bar cut-1`).toEqual([`BTCUSDT signals at bar ${r.cut - 1} of ${r.cut}: full true,false,false,false vs truncated false,false,false,false`]);
      expect(r.runs, `cut ${cut5m}: appending the future cannot show it in equity and trades (the fill would come after the cut)`).toEqual([]);
    }
  });

  it('catches a rule that reads the next bar in the trades, by changing the last bar', () => {
    for (const cut5m of CUTS_5M) {
      const up = lookAheadReport(peeking('rises'), cut5m, () => new PeekingCache(1), 1.2);
      const down = lookAheadReport(peeking('rises'), cut5m, () => new PeekingCache(1), 0.8);
      const r = { lastBar: [...up.lastBar, ...down.lastBar] };
      expect(r.lastBar.join('\n'), `cut ${cut5m}: whether to buy at the last open depends on the last close (up or down)`).toMatch(/positions open at the open of bar \d+ differ/);
    }
  });

  it('catches a rule that reads two bars ahead in the trades alone, by appending the future', () => {
    for (const cut5m of CUTS_5M) {
      const r = lookAheadReport(peeking('defined'), cut5m, () => new PeekingCache(2));
      expect(r.runs, `cut ${cut5m}: the full run trades in bar cut-1, the truncated run cannot`).toEqual([
        `BTCUSDT: trade ${r.tradesCompared} differs: full long entered at bar ${r.cut - 1}, left at bar ${r.cut - 1} (stop_loss) vs truncated none`,
        expect.stringMatching(new RegExp(`^BTCUSDT: equity differs at the flat last bar ${r.cut - 1}: `)),
      ]);
    }
  });
});
