import { describe, expect, it } from 'vitest';
import { diffTrades } from './parity.js';

const t = (symbol: string, entryTime: string, over: Partial<{ side: 'long' | 'short'; exitTime: string; entryPrice: number; exitPrice: number; qty: number; pnl: number }> = {}) => ({
  symbol,
  side: 'long' as const,
  entryTime,
  entryPrice: 100,
  exitTime: '2025-06-04T10:00:00.000Z',
  exitPrice: 101,
  qty: 2,
  pnl: 1.75,
  ...over,
});

describe('diffTrades', () => {
  it('finds nothing when the trades agree', () => {
    const a = [t('BTCUSDT', '2025-06-04T01:00:00.000Z'), t('ETHUSDT', '2025-06-04T01:00:00.000Z')];
    expect(diffTrades(a, [...a].reverse())).toEqual({ missed: 0, extra: 0, priceDiffs: 0, maxAbsDiff: 0, detail: [] });
  });

  it('counts missed, extra and differing trades, with the largest P&L difference', () => {
    const bt = [t('BTCUSDT', '2025-06-04T01:00:00.000Z'), t('BTCUSDT', '2025-06-04T05:00:00.000Z', { pnl: -3 }), t('ETHUSDT', '2025-06-04T02:00:00.000Z')];
    const paper = [
      t('BTCUSDT', '2025-06-04T01:00:00.000Z', { exitPrice: 101 * (1 + 2e-9), pnl: 1.76 }),
      t('ETHUSDT', '2025-06-04T02:00:00.000Z', { exitPrice: 101 * (1 + 5e-10) }),
      t('BNBUSDT', '2025-06-04T03:00:00.000Z', { pnl: 0.5 }),
    ];
    const d = diffTrades(bt, paper);
    expect([d.missed, d.extra, d.priceDiffs], 'one missed (BTC 05:00), one extra (BNB), one beyond 1e-9 relative (BTC 01:00)').toEqual([1, 1, 1]);
    expect(d.maxAbsDiff, 'the missed trade with its whole P&L').toBe(3);
    expect(d.detail.map((x) => x.kind).sort()).toEqual(['differs', 'extra', 'missed']);
    expect(d.detail.find((x) => x.kind === 'differs')?.fields).toEqual(['exitPrice']);
  });
});
