import type { Condition, Operand, StrategyDocument, StrategySide } from '../genome/schema.js';

/** What the learner knows about a strategy's genes: categorical tags and numeric parameters. */
export interface StrategyFeatures {
  /** e.g. `timeframe:1h`, `type:breakout`, `side:both`, `ind:rsi`, `op:crossAbove`, `stop:trailing`. */
  tags: string[];
  /** e.g. `rsi.period`, `bb.k`, `risk.stopLoss`, `entry.count` (the mean where a parameter occurs twice). */
  params: Record<string, number>;
  /** The pattern key: timeframe plus the shapes of the entry conditions of each side. */
  pattern: string;
}

function operandShape(o: Operand): string {
  if (typeof o === 'number') return '#';
  return o.ind === 'macd' ? `macd.${o.out}` : o.ind === 'bb' ? `bb.${o.out}` : o.ind;
}

function conditionShape(c: Condition): string {
  return `${operandShape(c.a)}${c.op}${operandShape(c.b)}`;
}

function sideShape(s: StrategySide | null): string {
  return s === null ? '-' : [...new Set(s.entry.map(conditionShape))].sort().join('&');
}

export function patternKey(doc: StrategyDocument): string {
  return `${doc.timeframe}|L:${sideShape(doc.long)}|S:${sideShape(doc.short)}`;
}

export function extractFeatures(doc: StrategyDocument): StrategyFeatures {
  const tags = new Set<string>([`timeframe:${doc.timeframe}`, `type:${doc.type}`]);
  tags.add(`side:${doc.long && doc.short ? 'both' : doc.long ? 'long' : 'short'}`);
  const sums = new Map<string, { sum: number; n: number }>();
  const add = (k: string, v: number) => {
    const s = sums.get(k) ?? { sum: 0, n: 0 };
    s.sum += v;
    s.n++;
    sums.set(k, s);
  };
  let entries = 0;
  let exits = 0;
  const visit = (o: Operand) => {
    if (typeof o === 'number') return;
    tags.add(`ind:${o.ind}`);
    if (o.ind === 'macd') {
      add('macd.fast', o.fast);
      add('macd.slow', o.slow);
      add('macd.signal', o.signal);
    } else if (o.ind === 'bb') {
      add('bb.period', o.period);
      add('bb.k', o.k);
    } else if ('period' in o) add(`${o.ind}.period`, o.period);
  };
  for (const s of [doc.long, doc.short]) {
    if (s === null) continue;
    entries += s.entry.length;
    exits += s.exit.length;
    for (const c of [...s.entry, ...s.exit]) {
      tags.add(`op:${c.op}`);
      visit(c.a);
      visit(c.b);
      if (typeof c.b === 'number' && typeof c.a !== 'number') add(`${c.a.ind}.threshold`, c.b);
    }
  }
  const r = doc.risk;
  if (r.stopLoss !== null) add('risk.stopLoss', r.stopLoss);
  if (r.takeProfit !== null) add('risk.takeProfit', r.takeProfit);
  if (r.trailingStop !== null) add('risk.trailingStop', r.trailingStop);
  tags.add(r.stopLoss !== null ? 'stop:fixed' : 'stop:none');
  if (r.trailingStop !== null) tags.add('stop:trailing');
  if (r.takeProfit !== null) tags.add('exit:take_profit');
  add('risk.size', r.size);
  add('risk.leverage', r.leverage);
  add('entry.count', entries);
  add('exit.count', exits);
  add('symbols.count', doc.symbols.length);
  const params: Record<string, number> = {};
  for (const [k, { sum, n }] of sums) params[k] = sum / n;
  return { tags: [...tags].sort(), params, pattern: patternKey(doc) };
}
