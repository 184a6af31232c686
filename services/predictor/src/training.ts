import type { CandleSeries } from '@mastertrade/core';
import {
  captureArtifacts,
  initBackend,
  trainPredictor,
  writeModelDir,
  type BackendChoice,
  type BackendInfo,
  type EpochProgress,
  type ModelSize,
  type PredictorMeta,
} from '@mastertrade/predictor-model';

/** What one training run needs: plain data, so it crosses a process boundary (structured clone). */
export interface TrainingInput {
  series: CandleSeries;
  size: ModelSize;
  epochs?: number;
  patience?: number;
  maxWindows?: number;
  backend: BackendChoice;
  /** Absolute folder the model files are written to. */
  outDir: string;
}

export interface TrainingOutput {
  meta: PredictorMeta;
  backend: BackendInfo;
}

export interface TrainingHooks {
  signal?: AbortSignal;
  onBackend?: (b: BackendInfo) => void;
  onEpoch?: (p: EpochProgress) => void | Promise<void>;
}

/**
 * The CPU-heavy part of a training job: backend, fit, files. Runs in the child process of the
 * service's `predictor.train` handler (see train-child.ts), or in-process for the CLI.
 */
export async function runTraining(input: TrainingInput, hooks: TrainingHooks = {}): Promise<TrainingOutput> {
  const backend = await initBackend(input.backend);
  hooks.onBackend?.(backend);
  const { model, meta } = await trainPredictor(input.series, {
    size: input.size,
    backend: backend.name,
    ...(input.epochs === undefined ? {} : { epochs: input.epochs }),
    ...(input.patience === undefined ? {} : { patience: input.patience }),
    ...(input.maxWindows === undefined ? {} : { maxWindows: input.maxWindows }),
    ...(hooks.signal ? { signal: hooks.signal } : {}),
    ...(hooks.onEpoch ? { onEpoch: hooks.onEpoch } : {}),
  });
  try {
    await writeModelDir(input.outDir, await captureArtifacts(model), meta);
  } finally {
    model.dispose();
  }
  return { meta, backend };
}

/** Runs a training somewhere (this process, a child process). */
export type TrainingRunner = (input: TrainingInput, hooks: TrainingHooks) => Promise<TrainingOutput>;

export const inProcessRunner: TrainingRunner = runTraining;
