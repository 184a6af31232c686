import { parseArgs } from 'node:util';
import { loadConfig } from '@mastertrade/config';
import { DataError } from '@mastertrade/core';
import { inProcessRunner, NoModelError, predictAndStore, predictorSettingsSchema, trainAndStore, type PredictSummary, type TrainSummary } from '@mastertrade/predictor';
import { BackendError, BACKEND_CHOICES, InsufficientDataError, type ErrorMetrics } from '@mastertrade/predictor-model';
import { z } from 'zod';
import { EXIT_OK, UsageError } from '../errors.js';
import { num, renderTable } from '../table.js';
import type { Output } from './backtest.js';
import { openInfra } from './infra.js';

export const PREDICTOR_HELP = `Usage:
  mastertrade predictor train --symbol BTCUSDT [--small] [--epochs N] [--days N] [--max-windows N] [--backend B] [--json]
  mastertrade predictor predict --symbol BTCUSDT [--backend B] [--json]

train    fits the LSTM + attention model on the newest hourly candles (stored, or the embedded
         set when none are stored), in this process, with progress on stderr; saves it under
         MODEL_DIR (default ./var/models) and its metadata and validation metrics in PostgreSQL.
         It reports MAE, RMSE, MAPE of the price and directional accuracy on the validation
         split next to two naive baselines (no change; last change), and says plainly when the
         model does not beat them (then it is not usable as a signal).
         --small: the small model (tests, demo) instead of the seed's full size.
         --epochs N (default 40 full / 30 small; early stopping may end sooner),
         --days N of candles (default PREDICTOR_TRAIN_DAYS, 120), --max-windows N (the newest N).
predict  predicts the next hour's close change with the newest model of the symbol and stores it.
--backend auto|tensorflow|wasm|cpu (default PREDICTOR_BACKEND, auto: tfjs-node, else wasm, else cpu).
--json prints one JSON line on stdout and nothing else.`;

const symbol = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, '--symbol: a symbol such as BTCUSDT');
const positive = (flag: string, max: number) => z.coerce.number().int(`${flag} must be a whole number`).min(1, `${flag} must be 1..${max}`).max(max, `${flag} must be 1..${max}`);
const flags = z.object({
  symbol,
  epochs: positive('--epochs', 200).optional(),
  days: positive('--days', 3650).optional(),
  maxWindows: positive('--max-windows', 1_000_000).optional(),
  backend: z.enum(BACKEND_CHOICES, `--backend must be one of ${BACKEND_CHOICES.join(', ')}`).optional(),
});

export async function predictorCommand(argv: string[], io: Output): Promise<number> {
  const [sub, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      symbol: { type: 'string' },
      small: { type: 'boolean', default: false },
      epochs: { type: 'string' },
      days: { type: 'string' },
      'max-windows': { type: 'string' },
      backend: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help || sub === 'help' || sub === '--help' || sub === '-h') {
    await io.out(`${PREDICTOR_HELP}\n`);
    return EXIT_OK;
  }
  if (sub !== 'train' && sub !== 'predict') throw new UsageError(`expected \`predictor train\` or \`predictor predict\`, got ${JSON.stringify(sub ?? '')}\n${PREDICTOR_HELP}`);
  if (values.symbol === undefined) throw new UsageError('--symbol is required (e.g. --symbol BTCUSDT)');
  const parsed = flags.safeParse({ symbol: values.symbol, epochs: values.epochs, days: values.days, maxWindows: values['max-windows'], backend: values.backend });
  if (!parsed.success) throw new UsageError(parsed.error.issues.map((i) => i.message).join('; '));
  const f = parsed.data;
  if (sub === 'predict' && (values.small || f.epochs !== undefined || f.days !== undefined || f.maxWindows !== undefined)) {
    throw new UsageError('--small, --epochs, --days and --max-windows belong to `predictor train`');
  }
  const settings = loadConfig(predictorSettingsSchema);
  const backend = f.backend ?? settings.PREDICTOR_BACKEND;
  const infra = await openInfra({ redis: false });
  try {
    if (sub === 'train') {
      const t0 = Date.now();
      const summary = await trainAndStore(infra.db, {
        symbol: f.symbol,
        size: values.small ? 'small' : 'full',
        ...(f.epochs === undefined ? {} : { epochs: f.epochs }),
        days: f.days ?? settings.PREDICTOR_TRAIN_DAYS,
        ...(f.maxWindows !== undefined ? { maxWindows: f.maxWindows } : settings.PREDICTOR_MAX_WINDOWS > 0 ? { maxWindows: settings.PREDICTOR_MAX_WINDOWS } : {}),
        backend,
        modelDir: settings.MODEL_DIR,
        runner: inProcessRunner,
        onBackend: (b) => io.err(`backend: ${b.name} (${b.reason})\n`),
        onEpoch: (p) =>
          io.err(
            `epoch ${p.epoch}/${p.epochs}  loss ${p.loss.toFixed(4)}  val_loss ${p.valLoss.toFixed(4)}${p.improved ? ' *' : '  '}  lr ${p.learningRate.toExponential(1)}  ${p.epochSeconds.toFixed(1)} s  ETA ${duration(p.etaSeconds)}  (${duration((Date.now() - t0) / 1000)} so far)\n`,
          ),
      });
      await io.out(values.json ? `${JSON.stringify(summary)}\n` : `${renderTrain(summary)}\n`);
      return EXIT_OK;
    }
    const p = await predictAndStore(infra.db, { symbol: f.symbol, modelDir: settings.MODEL_DIR, backend });
    await io.out(values.json ? `${JSON.stringify(p)}\n` : `${renderPredict(p)}\n`);
    return EXIT_OK;
  } catch (err) {
    if (err instanceof InsufficientDataError || err instanceof NoModelError || err instanceof BackendError || (err instanceof DataError && err.kind === 'empty')) throw new UsageError(err.message);
    throw err;
  } finally {
    await infra.close();
  }
}

function duration(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

function renderTrain(s: TrainSummary): string {
  const v = s.validation;
  const row = (name: string, m: ErrorMetrics) => [name, num(m.mae, 4), num(m.rmse, 4), num(m.mapePrice, 4), m.directionalAccuracy === null ? '—' : `${(100 * m.directionalAccuracy).toFixed(1)}%`];
  return [
    `model ${s.name} v${s.version} (${s.params.toLocaleString('en-US')} parameters, ${s.backend} backend), saved in ${s.dir}`,
    `data: ${s.bars} hourly bars (${s.dataSource}${s.dataNote ? `; ${s.dataNote}` : ''}); ${s.trainWindows} training / ${s.validationWindows} validation windows of 60 bars`,
    `validation ${s.validationFrom} .. ${s.validationTo} (after every training bar)`,
    `${s.epochsRun} epochs (${s.stopReason === 'early_stopping' ? `early stop, best epoch ${s.bestEpoch}` : `best epoch ${s.bestEpoch}`}), ${s.secondsPerEpoch.toFixed(1)} s/epoch, ${duration(s.seconds)} in all`,
    '',
    renderTable(['next-hour change', 'MAE (pp)', 'RMSE (pp)', 'MAPE price %', 'direction'], [row('model', v.model), row('baseline: no change', v.zeroChange), row('baseline: last change', v.lastChange)]),
    `skill vs no change: ${(100 * v.skill).toFixed(1)}%; vs last change: ${(100 * v.skillVsLastChange).toFixed(1)}%; bars that closed up: ${(100 * v.upShare).toFixed(1)}%`,
    '',
    `${s.usable ? '' : 'WARNING: '}The model ${v.verdict}.`,
  ].join('\n');
}

function renderPredict(p: PredictSummary): string {
  const sign = p.valuePct >= 0 ? '+' : '';
  return [
    `${p.symbol} ${p.timeframe}: next close after the bar of ${p.ts}: ${sign}${p.valuePct.toFixed(4)}% (${p.close} → ${p.predictedClose.toFixed(2)}), typical error ±${p.errorPct.toFixed(4)} pp`,
    `P(up) ${(100 * p.probUp).toFixed(1)}%, confidence ${(100 * p.confidence).toFixed(1)}% (model ${p.model}, ${p.loadedFrom}, ${p.backend} backend)`,
    `${p.usable ? '' : 'WARNING: '}The model ${p.verdict}.`,
    ...(p.barAgeMs > 2 * 3600_000 ? [`note: the newest bar closed ${(p.barAgeMs / 3600_000).toFixed(1)} h ago (${p.dataSource} candles)`] : []),
  ].join('\n');
}
