import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { openCandleDirectory } from '@mastertrade/market-data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, type BackendInfo } from './backend.js';
import { captureArtifacts, readModelDir, restoreModel, writeModelDir } from './io/model-io.js';
import { predictNext, trainPredictor, type PredictorMeta, type TrainedPredictor } from './predictor.js';
import type { EpochProgress } from './train/fit.js';

const btc = openCandleDirectory('embedded').series('BTCUSDT', '1h');
let backend: BackendInfo;
let trained: TrainedPredictor;
const epochs: EpochProgress[] = [];
let dir: string;

beforeAll(async () => {
  backend = await initBackend('auto');
  dir = await mkdtemp(join(tmpdir(), 'mt-predictor-'));
  // Small model, the newest 240 windows (192 train / 48 validation), 2 epochs: a few seconds.
  trained = await trainPredictor(btc, { size: 'small', epochs: 2, maxWindows: 240, backend: backend.name, onEpoch: (p) => void epochs.push(p) });
}, 120_000);

afterAll(async () => {
  trained?.model.dispose();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('trainPredictor (small, 2 epochs, embedded BTCUSDT 1h)', () => {
  it('reports each epoch and the validation metrics against both baselines', () => {
    expect(backend.name).toMatch(/^(tensorflow|wasm|cpu)$/);
    expect(epochs.map((e) => e.epoch)).toEqual([1, 2]);
    for (const e of epochs) {
      expect(Number.isFinite(e.loss) && Number.isFinite(e.valLoss), 'finite losses').toBe(true);
      expect(e.etaSeconds).toBeGreaterThanOrEqual(0);
    }
    const { meta } = trained;
    expect(meta.train.windows).toBe(192);
    expect(meta.validation.windows).toBe(48);
    expect(meta.validation.fromTsMs).toBeGreaterThan(meta.train.toTsMs);
    const r = meta.report;
    expect(r.windows).toBe(48);
    for (const m of [r.model, r.zeroChange, r.lastChange]) expect(m.mae).toBeGreaterThan(0);
    expect(r.skill).toBeCloseTo(1 - r.model.mae / r.zeroChange.mae, 12);
    expect(r.usable).toBe(r.skill > 0 && r.skillVsLastChange > 0);
    expect(r.verdict.length).toBeGreaterThan(10);
    expect(meta.fit.epochsRun).toBe(2);
    expect(meta.params).toBeGreaterThan(10_000);
  });

  it('saves, loads and predicts the same numbers (files, then memory)', async () => {
    const modelDir = join(dir, 'BTCUSDT-1h', 'm1');
    await writeModelDir(modelDir, await captureArtifacts(trained.model), trained.meta);
    const { artifacts, meta } = await readModelDir(modelDir);
    expect(meta).toEqual(JSON.parse(JSON.stringify(trained.meta)));
    const loaded = await restoreModel(artifacts);
    try {
      const a = predictNext(trained.model, trained.meta, btc);
      const b = predictNext(loaded, meta as PredictorMeta, btc);
      expect(b).toEqual(a);
      expect(a.tsMs).toBe(btc.tsMs[btc.tsMs.length - 1]);
      expect(a.confidence).toBeGreaterThanOrEqual(0.5);
      expect(a.confidence).toBeLessThan(1);
      expect(a.predictedClose).toBeCloseTo(a.close * (1 + a.valuePct / 100), 9);
      // Same weights, same window batch: bit-identical outputs on the whole validation set too.
      const x = tf.randomNormal([4, 60, 20], 0, 1, 'float32', 5);
      const pa = tf.tidy(() => Array.from((trained.model.predict(x) as tf.Tensor).dataSync()));
      const pb = tf.tidy(() => Array.from((loaded.predict(x) as tf.Tensor).dataSync()));
      expect(pb).toEqual(pa);
      x.dispose();
    } finally {
      loaded.dispose();
    }
  });
});
