import { parseArgs } from 'node:util';
import { cycleInsight, getCycle, listStrategies, memberCounts, type CycleRow } from '@mastertrade/db';
import { enqueueCycle } from '@mastertrade/pipeline';
import { z } from 'zod';
import { EXIT_OK, UsageError } from '../errors.js';
import { num, pct, renderTable } from '../table.js';
import type { Output } from './backtest.js';
import { openInfra } from './infra.js';

export const CYCLE_HELP = `Usage:
  mastertrade cycle [--count N] [--symbols A,B,C] [--timeframes 1h,4h] [--seed S] [--deadline-minutes M] [--wait] [--json]

Enqueues a cycle (manual trigger) on the running services (\`npm run services\`). With --wait,
shows progress on stderr and ends with a summary (--json: one JSON line on stdout).`;

const flags = z.object({
  count: z.coerce.number().int().min(1, '--count must be 1..10000').max(10_000, '--count must be 1..10000').default(500),
  symbols: z
    .string()
    .default('BTCUSDT,ETHUSDT,BNBUSDT')
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, '--symbols: bad symbol')).min(1)),
  timeframes: z
    .string()
    .transform((s) => s.split(',').map((x) => x.trim()))
    .pipe(z.array(z.enum(['5m', '15m', '1h', '4h'], '--timeframes: each must be 5m, 15m, 1h or 4h')).min(1))
    .optional(),
  seed: z.string().min(1).max(100).optional(),
  deadlineMinutes: z.coerce.number().positive('--deadline-minutes must be > 0').default(180),
});

const FINAL = new Set(['completed', 'partial', 'failed']);

export async function cycleCommand(argv: string[], io: Output): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      count: { type: 'string' },
      symbols: { type: 'string' },
      timeframes: { type: 'string' },
      seed: { type: 'string' },
      'deadline-minutes': { type: 'string' },
      wait: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    await io.out(`${CYCLE_HELP}\n`);
    return EXIT_OK;
  }
  const parsed = flags.safeParse({ ...values, deadlineMinutes: values['deadline-minutes'] });
  if (!parsed.success) throw new UsageError(parsed.error.issues.map((i) => i.message).join('; '));
  const f = parsed.data;
  const infra = await openInfra({ redis: true });
  try {
    const t0 = Date.now();
    const { cycleId } = await enqueueCycle(infra.queues!, {
      trigger: 'manual',
      count: f.count,
      symbols: f.symbols,
      ...(f.timeframes ? { timeframes: f.timeframes } : {}),
      ...(f.seed ? { seed: f.seed } : {}),
      deadlineMs: f.deadlineMinutes * 60_000,
    });
    if (!values.wait) {
      await io.out(values.json ? `${JSON.stringify({ cycleId, queued: true })}\n` : `cycle ${cycleId} enqueued (mastertrade cycle --wait follows it)\n`);
      return EXIT_OK;
    }
    io.err(`cycle ${cycleId}: ${f.count} strategies on ${f.symbols.join(', ')}\n`);
    const cycle = await follow(infra.db.pool, cycleId, t0, io);
    const summary = await summarize(infra.db.pool, cycle, Date.now() - t0);
    await io.out(values.json ? `${JSON.stringify(summary)}\n` : `${render(summary)}\n`);
    return cycle.state === 'failed' ? 1 : EXIT_OK;
  } finally {
    await infra.close();
  }
}

/** Polls the cycle until it is final, drawing a progress bar (done/total, passed, ETA) on stderr. */
async function follow(pool: Parameters<typeof getCycle>[0], cycleId: string, t0: number, io: Output): Promise<CycleRow> {
  const tty = process.stderr.isTTY === true;
  let lastLine = 0;
  let warned = false;
  for (;;) {
    const cycle = await getCycle(pool, cycleId);
    if (cycle && FINAL.has(cycle.state)) {
      if (tty) io.err('\n');
      return cycle;
    }
    const elapsed = Date.now() - t0;
    if (!cycle && elapsed > 15_000 && !warned) {
      warned = true;
      io.err(`no service has picked the cycle up after 15 s: is \`npm run services\` running with the same QUEUE_PREFIX?\n`);
    }
    if (cycle) {
      const c = await memberCounts(pool, cycleId);
      const total = c.total || cycle.requestedCount;
      const done = c.done + c.failed + c.cancelled;
      const eta = done > 0 && cycle.state === 'backtesting' ? ((elapsed / done) * (total - done)) / 1000 : null;
      const width = 30;
      const filled = Math.round((width * done) / Math.max(total, 1));
      const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${cycle.state}  passed ${c.passed}  ${eta === null ? '' : `ETA ${eta.toFixed(0)} s`}`;
      if (tty) io.err(`\r${line.padEnd(90)}`);
      else if (Date.now() - lastLine > 5000) {
        io.err(`${line}\n`);
        lastLine = Date.now();
      }
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

interface CycleSummary {
  cycleId: string;
  state: string;
  generated: number;
  backtested: number;
  passed: number;
  failed: number;
  promoted: number;
  dataSource: string | null;
  dataNote: string | null;
  timingsMs: Record<string, number>;
  wallMs: number;
  /** Honest selection: trials, promotion candidates, probability of backtest overfitting. */
  selection: { trials: number; candidates: number; expectedMaxSharpe: number; pbo: number | null; overfit: boolean } | null;
  best: { id: string; name: string; origin: string; status: string; timeframe: string; sharpe: number | null; totalReturn: number | null; maxDrawdown: number | null; winRate: number | null; trades: number | null }[];
}

async function summarize(pool: Parameters<typeof getCycle>[0], c: CycleRow, wallMs: number): Promise<CycleSummary> {
  const best = await listStrategies(pool, { cycleId: c.id, sort: 'sharpe', limit: 10 });
  const sel = (await cycleInsight(pool, c.id, 'selection')) as { trials: number; candidates: number; expectedMaxSharpe: number; pbo: { pbo: number; overfit: boolean } | null } | null;
  return {
    cycleId: c.id,
    state: c.state,
    generated: c.generatedCount,
    backtested: c.backtestedCount,
    passed: c.passedCount,
    failed: c.failedCount,
    promoted: c.promotedCount,
    dataSource: c.dataSource,
    dataNote: c.dataNote,
    timingsMs: c.timings,
    wallMs,
    selection: sel ? { trials: sel.trials, candidates: sel.candidates, expectedMaxSharpe: sel.expectedMaxSharpe, pbo: sel.pbo?.pbo ?? null, overfit: sel.pbo?.overfit ?? false } : null,
    best: best.map((s) => ({ id: s.id, name: s.name, origin: s.origin, status: s.status, timeframe: s.timeframe, sharpe: s.sharpe, totalReturn: s.totalReturn, maxDrawdown: s.maxDrawdown, winRate: s.winRate, trades: s.trades })),
  };
}

function render(s: CycleSummary): string {
  const t = s.timingsMs;
  const sec = (ms: number | undefined) => (ms === undefined ? '—' : `${(ms / 1000).toFixed(1)} s`);
  return [
    `cycle ${s.cycleId}: ${s.state}`,
    `generated ${s.generated}   backtested ${s.backtested}   passed ${s.passed}   failed ${s.failed}   promoted to paper trading ${s.promoted}`,
    `data: ${s.dataSource ?? '?'}${s.dataNote ? ` (${s.dataNote})` : ''}`,
    s.selection
      ? `selection: ${s.selection.trials} trials, ${s.selection.candidates} passed in sample + out of sample + deflated Sharpe; PBO ${s.selection.pbo === null ? 'n/a' : s.selection.pbo.toFixed(2)}${s.selection.overfit ? '  WARNING: probability of backtest overfitting above 0.5: this cycle\'s in-sample winners mostly lose out of sample' : ''}`
      : 'selection: n/a',
    `timings: fetch ${sec(t.fetching)}   generate ${sec(t.generating)}   backtest ${sec(t.backtesting)}   learn ${sec(t.learning)}   total ${sec(t.total)}   (wall ${sec(s.wallMs)})`,
    '',
    'best strategies of the cycle (by Sharpe):',
    renderTable(
      ['strategy', 'origin', 'status', 'tf', 'sharpe', 'return', 'maxDD', 'winRate', 'trades'],
      s.best.map((b) => [b.name, b.origin, b.status, b.timeframe, num(b.sharpe), pct(b.totalReturn), pct(b.maxDrawdown), pct(b.winRate, 1), b.trades ?? '—']),
    ),
  ].join('\n');
}
