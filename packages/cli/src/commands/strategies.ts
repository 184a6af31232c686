import { parseArgs } from 'node:util';
import { listStrategies, STRATEGY_STATUSES } from '@mastertrade/db';
import { z } from 'zod';
import { EXIT_OK, UsageError } from '../errors.js';
import { num, pct, renderTable } from '../table.js';
import type { Output } from './backtest.js';
import { openInfra } from './infra.js';

export const STRATEGIES_HELP = `Usage:
  mastertrade strategies [--status S] [--cycle ID] [--sort sharpe|created] [--limit N] [--json]

Lists stored strategies with their latest result. S: ${STRATEGY_STATUSES.join(', ')}.`;

const flags = z.object({
  status: z.enum(STRATEGY_STATUSES, `--status must be one of ${STRATEGY_STATUSES.join(', ')}`).optional(),
  cycle: z.string().min(1).optional(),
  sort: z.enum(['sharpe', 'created'], '--sort must be sharpe or created').default('sharpe'),
  limit: z.coerce.number().int().min(1, '--limit must be 1..500').max(500, '--limit must be 1..500').default(30),
});

export async function strategiesCommand(argv: string[], io: Output): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      status: { type: 'string' },
      cycle: { type: 'string' },
      sort: { type: 'string' },
      limit: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    await io.out(`${STRATEGIES_HELP}\n`);
    return EXIT_OK;
  }
  const parsed = flags.safeParse(values);
  if (!parsed.success) throw new UsageError(parsed.error.issues.map((i) => i.message).join('; '));
  const f = parsed.data;
  const infra = await openInfra({ redis: false });
  try {
    const rows = await listStrategies(infra.db.pool, { ...(f.status ? { status: f.status } : {}), ...(f.cycle ? { cycleId: f.cycle } : {}), sort: f.sort, limit: f.limit });
    if (values.json) {
      for (const r of rows) await io.out(`${JSON.stringify(r)}\n`);
      return EXIT_OK;
    }
    await io.out(
      `${renderTable(
        ['id', 'strategy', 'origin', 'status', 'tf', 'sharpe', 'return', 'maxDD', 'winRate', 'trades'],
        rows.map((r) => [r.id.slice(0, 12), r.name, r.origin, r.status, r.timeframe, num(r.sharpe), pct(r.totalReturn), pct(r.maxDrawdown), pct(r.winRate, 1), r.trades ?? '—']),
      )}\n${rows.length} strateg${rows.length === 1 ? 'y' : 'ies'}\n`,
    );
    return EXIT_OK;
  } finally {
    await infra.close();
  }
}
