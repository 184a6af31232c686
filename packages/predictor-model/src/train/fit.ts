import * as tf from '@tensorflow/tfjs';
import { createRng } from '@mastertrade/core';
import { fillTargets, fillWindows, type Dataset } from '../dataset/windows.js';

export interface FitOptions {
  epochs: number;
  batchSize: number;
  /** Adam's initial learning rate (the seed: 0.001). */
  learningRate: number;
  /** Early stopping: stop after this many epochs without a better validation loss, keeping the best weights. */
  patience: number;
  /** Reduce-on-plateau: multiply the learning rate by `plateauFactor` after this many epochs without improvement. */
  plateauPatience: number;
  plateauFactor: number;
  minLearningRate: number;
  /** Seeds the per-epoch shuffle of the training windows. */
  seed: number;
  signal?: AbortSignal;
  /** Called after every epoch; awaited (a child process reports to its parent here). */
  onEpoch?: (p: EpochProgress) => void | Promise<void>;
}

export interface EpochProgress {
  epoch: number;
  epochs: number;
  /** Mean training MSE of the epoch, on the scaled target. */
  loss: number;
  /** Validation MSE on the scaled target (dropout off). */
  valLoss: number;
  learningRate: number;
  epochSeconds: number;
  /** Seconds left if every remaining epoch runs (early stopping may end sooner). */
  etaSeconds: number;
  bestEpoch: number;
  improved: boolean;
}

export interface FitResult {
  epochsRun: number;
  bestEpoch: number;
  bestValLoss: number;
  stopReason: 'epochs' | 'early_stopping';
  secondsPerEpoch: number;
  history: EpochProgress[];
}

/** Training was cancelled through its AbortSignal (service shutdown, job cancelled). */
export class TrainingAbortedError extends Error {
  override readonly name = 'TrainingAbortedError';
}

/**
 * Mini-batch Adam on MSE with early stopping (best weights restored) and reduce-on-plateau.
 * Batches are cut from the dataset's single scaled buffer (see fillWindows); one reusable
 * host buffer per batch size, so an epoch allocates no per-window copies.
 */
export async function fitModel(model: tf.LayersModel, ds: Dataset, o: FitOptions): Promise<FitResult> {
  const optimizer = tf.train.adam(o.learningRate);
  model.compile({ optimizer, loss: 'meanSquaredError' });
  const shape = { windowBars: ds.windowBars, width: ds.width };
  const n = ds.trainEnds.length;
  const order = Int32Array.from(ds.trainEnds);
  const batchBuf = new Float32Array(o.batchSize * ds.windowBars * ds.width);
  const history: EpochProgress[] = [];
  let best: tf.Tensor[] | null = null;
  let bestValLoss = Infinity;
  let bestEpoch = 0;
  let sinceBest = 0;
  let lr = o.learningRate;
  let stopReason: FitResult['stopReason'] = 'epochs';
  let totalSeconds = 0;
  try {
    for (let epoch = 1; epoch <= o.epochs; epoch++) {
      const t0 = performance.now();
      shuffle(order, createRng(o.seed * 1000 + epoch));
      let lossSum = 0;
      for (let from = 0; from < n; from += o.batchSize) {
        if (o.signal?.aborted) throw new TrainingAbortedError('training aborted');
        const to = Math.min(n, from + o.batchSize);
        const b = to - from;
        const xData = fillWindows(ds.scaled, shape, order, from, to, b === o.batchSize ? batchBuf : undefined);
        const x = tf.tensor3d(xData, [b, ds.windowBars, ds.width]);
        const y = tf.tensor2d(fillTargets(ds, order, from, to), [b, 1]);
        try {
          const loss = await model.trainOnBatch(x, y);
          lossSum += (Array.isArray(loss) ? (loss[0] as number) : loss) * b;
        } finally {
          x.dispose();
          y.dispose();
        }
      }
      const valPred = predictScaled(model, ds, ds.valEnds);
      const valTarget = fillTargets(ds, ds.valEnds, 0, ds.valEnds.length);
      let se = 0;
      for (let i = 0; i < valPred.length; i++) se += ((valPred[i] as number) - (valTarget[i] as number)) ** 2;
      const valLoss = se / valPred.length;
      const improved = valLoss < bestValLoss;
      if (improved) {
        bestValLoss = valLoss;
        bestEpoch = epoch;
        sinceBest = 0;
        for (const t of best ?? []) t.dispose();
        best = model.getWeights().map((w) => w.clone());
      } else {
        sinceBest++;
      }
      const epochSeconds = (performance.now() - t0) / 1000;
      totalSeconds += epochSeconds;
      const p: EpochProgress = {
        epoch,
        epochs: o.epochs,
        loss: lossSum / n,
        valLoss,
        learningRate: lr,
        epochSeconds,
        etaSeconds: (totalSeconds / epoch) * (o.epochs - epoch),
        bestEpoch,
        improved,
      };
      history.push(p);
      await o.onEpoch?.(p);
      if (sinceBest >= o.patience && epoch < o.epochs) {
        stopReason = 'early_stopping';
        break;
      }
      if (sinceBest > 0 && sinceBest % o.plateauPatience === 0) {
        lr = Math.max(o.minLearningRate, lr * o.plateauFactor);
        setLearningRate(optimizer, lr);
      }
    }
    if (best) model.setWeights(best);
  } finally {
    for (const t of best ?? []) t.dispose();
    optimizer.dispose();
  }
  return { epochsRun: history.length, bestEpoch, bestValLoss, stopReason, secondsPerEpoch: totalSeconds / Math.max(1, history.length), history };
}

/** Scaled predictions of the windows ending at `ends`, in batches (dropout off). */
export function predictScaled(model: tf.LayersModel, ds: Pick<Dataset, 'scaled' | 'windowBars' | 'width'>, ends: ArrayLike<number>, batch = 256): Float32Array {
  const out = new Float32Array(ends.length);
  const shape = { windowBars: ds.windowBars, width: ds.width };
  for (let from = 0; from < ends.length; from += batch) {
    const to = Math.min(ends.length, from + batch);
    const values = tf.tidy(() => {
      const x = tf.tensor3d(fillWindows(ds.scaled, shape, ends, from, to), [to - from, ds.windowBars, ds.width]);
      return (model.predict(x) as tf.Tensor).dataSync();
    });
    out.set(values, from);
  }
  return out;
}

/** Adam reads its learning rate on every step; tfjs only lacks a public setter. */
function setLearningRate(optimizer: tf.Optimizer, lr: number): void {
  (optimizer as unknown as { learningRate: number }).learningRate = lr;
}

function shuffle(a: Int32Array, rng: { next(): number }): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    const t = a[i] as number;
    a[i] = a[j] as number;
    a[j] = t;
  }
}
