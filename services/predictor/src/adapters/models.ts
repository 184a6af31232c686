import type { Db } from '@mastertrade/db';
import { META_FORMAT, type PredictorMeta, type Prediction } from '@mastertrade/predictor-model';
import { z } from 'zod';

/** A stored model's row, with its metadata rebuilt from the `config` and `metrics` columns. */
export interface StoredModel {
  id: string;
  name: string;
  version: number;
  symbol: string;
  timeframe: string;
  trainedAtMs: number;
  /** The model's folder relative to MODEL_DIR. */
  dir: string;
  meta: PredictorMeta;
  /** model.json's topology and weights.bin, kept in the row too (predict works without the files). */
  topology: unknown;
  weights: Uint8Array | null;
}

/** The model name (a version series per name): `lstm-attn-<size>-<symbol>-<timeframe>`. */
export function modelName(meta: Pick<PredictorMeta, 'size' | 'symbol' | 'timeframe'>): string {
  return `lstm-attn-${meta.size}-${meta.symbol}-${meta.timeframe}`;
}

export interface InsertModelInput {
  id: string;
  dir: string;
  meta: PredictorMeta;
  topology: object;
  weights: Uint8Array;
}

/**
 * Stores a trained model as the next version of its name. `active` = the model beat the naive
 * baselines on validation (usable as a signal). Metadata goes to `config` (everything needed to
 * reuse it: features, scaler, spec, data range, folder), the validation report and the fit
 * history to `metrics`.
 */
export async function insertModel(db: Db, m: InsertModelInput): Promise<{ id: string; name: string; version: number }> {
  const { report, fit, ...config } = m.meta;
  const name = modelName(m.meta);
  for (let attempt = 1; ; attempt++) {
    try {
      const { rows } = await db.pool.query<{ version: number }>(
        `INSERT INTO predictor_models (id, name, version, symbol, timeframe, config, metrics, topology, weights, active, trained_at)
         SELECT $1::uuid, $2, coalesce(max(version), 0) + 1, $3, $4, $5::jsonb, $6::jsonb, $7::jsonb, $8, $9, to_timestamp($10::float8 / 1000.0)
         FROM predictor_models WHERE name = $2
         RETURNING version`,
        [m.id, name, m.meta.symbol, m.meta.timeframe, JSON.stringify({ ...config, dir: m.dir }), JSON.stringify({ validation: report, fit }), JSON.stringify(m.topology), m.weights, report.usable, m.meta.trainedAtMs],
      );
      return { id: m.id, name, version: (rows[0] as { version: number }).version };
    } catch (err) {
      // Two trainings of the same name finishing together: the loser takes the next version.
      if (attempt < 3 && (err as { code?: string }).code === '23505' && String((err as { constraint?: string }).constraint).includes('name_version')) continue;
      throw err;
    }
  }
}

/** Checked on the way out of the database: only what prediction relies on (STYLE: parse at the edges). */
const storedMeta = z.looseObject({
  format: z.literal(META_FORMAT),
  dir: z.string().min(1),
  windowBars: z.number().int().positive(),
  horizonBars: z.literal(1),
  features: z.array(z.string()).min(1),
  scaler: z.object({ mean: z.array(z.number()), std: z.array(z.number()) }),
  targetScaler: z.object({ mean: z.number(), std: z.number() }),
});
const storedMetrics = z.looseObject({
  validation: z.looseObject({ model: z.looseObject({ mae: z.number(), rmse: z.number() }), usable: z.boolean() }),
  fit: z.looseObject({}),
});

/** The newest model (by training time) of a symbol and timeframe, or null. */
export async function newestModel(db: Db, symbol: string, timeframe: string): Promise<StoredModel | null> {
  const row = await db.prisma.predictorModel.findFirst({
    where: { symbol, timeframe, trainedAt: { not: null } },
    orderBy: [{ trainedAt: 'desc' }, { version: 'desc' }],
  });
  if (!row) return null;
  const config = storedMeta.safeParse(row.config);
  const metrics = storedMetrics.safeParse(row.metrics);
  if (!config.success || !metrics.success) {
    throw new Error(`predictor model ${row.id} (${row.name} v${row.version}) has unreadable metadata: ${[...(config.error?.issues ?? []), ...(metrics.error?.issues ?? [])].map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const { dir, ...rest } = config.data;
  const meta = { ...rest, report: metrics.data.validation, fit: metrics.data.fit } as unknown as PredictorMeta;
  return {
    id: row.id,
    name: row.name,
    version: row.version,
    symbol: row.symbol,
    timeframe: row.timeframe,
    trainedAtMs: (row.trainedAt as Date).getTime(),
    dir,
    meta,
    topology: row.topology,
    weights: row.weights,
  };
}

/**
 * Stores a prediction (value in % change over the horizon), keyed by model, symbol, timeframe,
 * ts and horizon: predicting the same bar again with the same model overwrites it.
 */
export async function savePrediction(db: Db, modelId: string, p: Prediction): Promise<string> {
  const key = { modelId, symbol: p.symbol, timeframe: p.timeframe, ts: new Date(p.tsMs), horizonBars: p.horizonBars };
  const values = { value: p.valuePct, probUp: p.probUp, confidence: p.confidence, errorPct: p.errorPct };
  const row = await db.prisma.prediction.upsert({
    where: { modelId_symbol_timeframe_ts_horizonBars: key },
    create: { ...key, ...values },
    update: values,
    select: { id: true },
  });
  return row.id;
}

/**
 * Fills `actual` (the realised % change) of this symbol's earlier predictions whose next bar is
 * now in `bars`. Returns how many were filled.
 */
export async function fillActuals(db: Db, symbol: string, timeframe: string, bars: { tsMs: Float64Array; close: Float64Array }): Promise<number> {
  const n = bars.tsMs.length;
  if (n < 2) return 0;
  const pending = await db.prisma.prediction.findMany({
    where: { symbol, timeframe, actual: null, horizonBars: 1, ts: { gte: new Date(bars.tsMs[0] as number), lt: new Date(bars.tsMs[n - 1] as number) } },
    select: { id: true, ts: true },
    take: 1000,
  });
  const index = new Map<number, number>();
  for (let i = 0; i < n; i++) index.set(bars.tsMs[i] as number, i);
  let filled = 0;
  for (const p of pending) {
    const i = index.get(p.ts.getTime());
    if (i === undefined || i + 1 >= n) continue;
    const actual = ((bars.close[i + 1] as number) / (bars.close[i] as number) - 1) * 100;
    await db.prisma.prediction.update({ where: { id: p.id }, data: { actual } });
    filled++;
  }
  return filled;
}
