import { readFileSync } from 'node:fs';
import { DEFAULT_SETTINGS, parseStrategy, sliceSeries, type CandleSeries, type StrategyDocument } from '@mastertrade/core';
import { openCandleDirectory } from '@mastertrade/market-data';
import { describe, expect, it } from 'vitest';
import { runPaper, type PaperRun } from './paper-run.js';

const ROOT = new URL('../../../', import.meta.url);
const docs: StrategyDocument[] = ['examples/08_rsi-both-sides-15m.json', 'examples/09_ema-trailing-5m.json', 'examples/04_donchian-breakout-1h.json'].map((f) =>
  parseStrategy(JSON.parse(readFileSync(new URL(f, ROOT), 'utf8'))),
);
const START_MS = Date.parse('2025-06-03T00:00:00Z');

describe('runPaper', () => {
  const dir = openCandleDirectory('embedded');

  it.each(docs.map((d) => [d.name, d] as const))('%s: a run over fewer bars is the longer run cut there (so ticks at any points add up to the batch run)', (_, doc) => {
    const series = doc.symbols.map((s) => dir.series(s, doc.timeframe));
    const full = runPaper(doc, series, DEFAULT_SETTINGS, START_MS) as PaperRun;
    expect(full.closed.length, 'the check needs trades').toBeGreaterThan(3);
    const n = full.tsMs.length;
    // Cuts spread over the run, plus cuts exactly at trades' entry and exit bars.
    const at = (iso: string) => full.tsMs.indexOf(Date.parse(iso)) + 1;
    const cuts = new Set<number>([1, 2, Math.floor(n / 3), Math.floor(n / 2), n - 1]);
    for (const t of full.closed.slice(0, 3)) {
      cuts.add(at(t.entryTime));
      cuts.add(at(t.exitTime));
      cuts.add(at(t.exitTime) - 1);
    }
    for (const c of cuts) {
      const cut = series.map((s: CandleSeries) => sliceSeries(s, 0, full.startIndex + c));
      const part = runPaper(doc, cut, DEFAULT_SETTINGS, START_MS) as PaperRun;
      const lastMs = part.tsMs[c - 1] as number;
      expect(part.tsMs.length).toBe(c);
      expect(part.closed, `cut after ${c} bars: closed trades are the full run's that exited by then`).toEqual(full.closed.filter((t) => Date.parse(t.exitTime) <= lastMs));
      const stillOpen = [...full.closed, ...full.open.map((o) => ({ ...o, exitTime: '9999' }))].filter(
        (t) => Date.parse(t.entryTime) <= lastMs && !(Date.parse(t.exitTime) <= lastMs),
      );
      expect(
        part.open.map((o) => [o.symbol, o.side, o.entryTime, o.entryPrice, o.qty]),
        `cut after ${c} bars: open positions are the full run's trades still open then`,
      ).toEqual(stillOpen.map((t) => [t.symbol, t.side, t.entryTime, t.entryPrice, t.qty]));
      const keep = part.open.length > 0 ? c - 1 : c;
      expect(Array.from(part.equity.subarray(0, keep)), `cut after ${c} bars: same equity bit for bit`).toEqual(Array.from(full.equity.subarray(0, keep)));
    }
  });

  it('is null before the first paper bar and refuses series that start after it', () => {
    const doc = docs[0] as StrategyDocument;
    const s = doc.symbols.map((sym) => dir.series(sym, doc.timeframe));
    const i = (s[0] as CandleSeries).tsMs.indexOf(START_MS);
    expect(runPaper(doc, s.map((x) => sliceSeries(x, 0, i)), DEFAULT_SETTINGS, START_MS)).toBeNull();
    expect(() => runPaper(doc, s.map((x) => sliceSeries(x, i + 1, i + 100)), DEFAULT_SETTINGS, START_MS)).toThrow(/not on or before the start bar/);
  });
});
