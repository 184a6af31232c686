import { parseArgs } from 'node:util';
import {
  DataError,
  IndicatorCache,
  StrategyValidationError,
  backtest,
  parseStrategyJson,
  type BacktestResult,
  type BacktestSettings,
  type CandleSeries,
  type StrategyDocument,
} from '@mastertrade/core';
import { openCandleDirectory, type CandleDirectory } from '@mastertrade/market-data';
import { EXIT_OK, EXIT_USAGE, UsageError } from '../errors.js';
import { parseSettings } from '../settings.js';
import { readStrategies, readStrategyFile, sourceLabel, type StrategySource } from '../sources.js';
import { num, pct, renderTable } from '../table.js';

export const BACKTEST_HELP = `Usage:
  mastertrade backtest --strategy FILE.json [--data DIR|embedded] [--fee F] [--slippage S] [--capital C] [--json]
  mastertrade backtest --strategies DIR|FILE.jsonl [--data DIR|embedded] [...] [--json]

Runs strategy documents over the candles in DIR (one SYMBOL_<step>.csv per symbol; default:
the embedded 90-day Bybit 5m set). --json prints the result JSON (one line per strategy in a
batch) and nothing else on stdout. Exit 2 on any bad flag, file, row or document; in a batch
the others still run and each failure prints {"file"|"line": ..., "error": ...} in its place.`;

/**
 * Bound of the indicator columns kept for a batch (evicted ones are recomputed when asked
 * again). With leaf columns not kept (reuse mode), 64 MB runs a batch of random documents
 * within noise of 128-256 MB, and it is full within the first hundred documents, so peak
 * memory does not grow with the batch.
 */
const INDICATOR_CACHE_BYTES = 64 * 1024 * 1024;

export interface Output {
  out: (text: string) => Promise<void> | void;
  err: (text: string) => void;
}

export async function backtestCommand(argv: string[], io: Output): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      strategy: { type: 'string' },
      strategies: { type: 'string' },
      data: { type: 'string' },
      fee: { type: 'string' },
      slippage: { type: 'string' },
      capital: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    await io.out(`${BACKTEST_HELP}\n`);
    return EXIT_OK;
  }
  if ((values.strategy === undefined) === (values.strategies === undefined)) {
    throw new UsageError('give exactly one of --strategy FILE or --strategies DIR|FILE.jsonl');
  }
  const settings = parseSettings(values);
  const data = openCandleDirectory(values.data);
  // Columns are shared by the whole batch; nothing here keeps one, so evicted storage is reused.
  const cache = new IndicatorCache(INDICATOR_CACHE_BYTES, { reuse: true });

  if (values.strategy !== undefined) {
    const source = readStrategyFile(values.strategy);
    const file = values.strategy;
    const result = runOne(source, data, settings, cache);
    if ('error' in result) throw new UsageError(`${file}: ${result.error}`);
    if (values.json) await outResultJson(io, result);
    else await io.out(`${summary(result)}\n`);
    return EXIT_OK;
  }

  let failures = 0;
  const rows: (string | number)[][] = [];
  for await (const source of readStrategies(values.strategies as string)) {
    const r = runOne(source, data, settings, cache);
    if ('error' in r) {
      failures++;
      const line = { ...sourceLabel(source), error: r.error };
      if (values.json) await io.out(`${JSON.stringify(line)}\n`);
      else io.err(`${source.line !== null ? `${source.file}:${source.line}` : source.file}: ${r.error}\n`);
      continue;
    }
    if (values.json) await outResultJson(io, r);
    else rows.push(summaryRow(r));
  }
  if (!values.json) await io.out(`${renderTable(SUMMARY_HEADERS, rows)}\n`);
  if (failures > 0) io.err(`${failures} strateg${failures === 1 ? 'y' : 'ies'} could not run\n`);
  return failures > 0 ? EXIT_USAGE : EXIT_OK;
}

/** Trades per piece of output: ~50 KB of JSON, well under V8's large-object size. */
const TRADES_PER_PIECE = 256;

/**
 * Writes `${JSON.stringify(r)}\n`, byte for byte, in pieces: the result without its trades, then
 * the trades a few hundred at a time. One string per result would be megabytes for a busy 5m
 * strategy, and every such string (and its encoded copy) takes fresh memory, which is slow to
 * touch; small pieces are made and dropped in memory the process already uses.
 */
async function outResultJson(io: Output, r: BacktestResult): Promise<void> {
  const { trades } = r;
  const head = trades.length > TRADES_PER_PIECE ? JSON.stringify({ ...r, trades: [] }) : '';
  // `trades` is the result's last key, so its text is the head's up to `[` plus the trades.
  if (!head.endsWith('"trades":[]}')) {
    await io.out(`${JSON.stringify(r)}\n`);
    return;
  }
  await io.out(head.slice(0, -2));
  for (let i = 0; i < trades.length; i += TRADES_PER_PIECE) {
    const part = JSON.stringify(trades.slice(i, i + TRADES_PER_PIECE));
    await io.out(i === 0 ? part.slice(1, -1) : `,${part.slice(1, -1)}`);
  }
  await io.out(']}\n');
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** Validates and runs one document; a bad document or data error becomes `{error}`. */
function runOne(
  source: StrategySource,
  data: CandleDirectory,
  settings: BacktestSettings,
  cache: IndicatorCache,
): BacktestResult | { error: string } {
  let doc: StrategyDocument;
  try {
    doc = parseStrategyJson(source.text);
  } catch (err) {
    if (err instanceof StrategyValidationError) return { error: `invalid strategy: ${err.message}` };
    throw err;
  }
  let series: CandleSeries[];
  try {
    series = doc.symbols.map((s) => data.series(s, doc.timeframe));
    return backtest(doc, series, settings, cache);
  } catch (err) {
    if (err instanceof DataError) return { error: `data error: ${err.message}` };
    throw err;
  }
}

const SUMMARY_HEADERS = ['strategy', 'tf', 'trades', 'return', 'sharpe', 'sortino', 'maxDD', 'winRate', 'PF', 'exposure'];

function summaryRow(r: BacktestResult): (string | number)[] {
  const m = r.metrics;
  return [r.strategy, r.timeframe, m.trades, pct(m.totalReturn), num(m.sharpe), num(m.sortino), pct(m.maxDrawdown), pct(m.winRate, 1), num(m.profitFactor), pct(m.exposure, 1)];
}

function summary(r: BacktestResult): string {
  const m = r.metrics;
  const head = [
    `${r.strategy}  ${r.timeframe}  ${r.bars} bars  ${r.from} .. ${r.to}`,
    `capital ${r.settings.capital}  fee ${r.settings.fee}  slippage ${r.settings.slippage}`,
    '',
    `total return ${pct(m.totalReturn)}   sharpe ${num(m.sharpe)}   sortino ${num(m.sortino)}   max drawdown ${pct(m.maxDrawdown)}`,
    `trades ${m.trades}   win rate ${pct(m.winRate, 1)}   profit factor ${num(m.profitFactor)}   avg trade ${num(m.avgTradePnl)}   exposure ${pct(m.exposure, 1)}`,
    `streaks: ${m.longestWinStreak} wins, ${m.longestLossStreak} losses`,
    '',
  ];
  const perSymbol = renderTable(
    ['symbol', 'trades', 'return', 'sharpe', 'maxDD', 'winRate'],
    Object.entries(r.perSymbol).map(([s, x]) => [s, x.trades, pct(x.totalReturn), num(x.sharpe), pct(x.maxDrawdown), pct(x.winRate, 1)]),
  );
  const months = renderTable(
    ['month', 'return'],
    Object.entries(m.monthlyReturns).map(([k, v]) => [k, pct(v)]),
  );
  return [...head, perSymbol, '', months].join('\n');
}
