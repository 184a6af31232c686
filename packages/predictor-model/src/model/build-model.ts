import * as tf from '@tensorflow/tfjs';
import { LastTimestep } from './last-timestep.js';
import { LayerNorm } from './layer-norm.js';
import { MultiHeadAttention } from './multi-head-attention.js';

export type ModelSize = 'full' | 'small';

/** Layer sizes of one model. */
export interface ModelSpec {
  /** Units per direction of each bidirectional LSTM layer. */
  lstmUnits: number;
  lstmLayers: number;
  heads: number;
  /** Per-head projection size. */
  keyDim: number;
  /** The two fully connected layers before the output. */
  dense: readonly [number, number];
  dropout: number;
}

/**
 * `full` is the seed's model: BiLSTM 128 × 2 layers → 4-head attention → layer norm → FC 128 →
 * ReLU → dropout → FC 64 → ReLU → FC 1. `small` keeps the shape at a quarter of the width and
 * one LSTM layer, for tests and the demo (DEPENDENCIES.md: ~6x faster per epoch on wasm).
 */
export const MODEL_SIZES = {
  full: { lstmUnits: 128, lstmLayers: 2, heads: 4, keyDim: 64, dense: [128, 64], dropout: 0.2 },
  small: { lstmUnits: 32, lstmLayers: 1, heads: 2, keyDim: 16, dense: [32, 16], dropout: 0.1 },
} as const satisfies Record<ModelSize, ModelSpec>;

export interface BuildModelOptions {
  spec: ModelSpec;
  windowBars: number;
  features: number;
  /** Seeds the attention's kernels (the LSTM and dense layers use tfjs' default initialisers). */
  seed?: number;
}

/**
 * input [T, F] → BiLSTM stack (sequences) → multi-head self-attention, added to its input
 * (residual) → layer norm → last step → FC → ReLU → dropout → FC → ReLU → FC 1 (the scaled
 * next-bar change). Not compiled: the training loop owns the optimiser.
 */
export function buildModel(o: BuildModelOptions): tf.LayersModel {
  const { spec } = o;
  const input = tf.input({ shape: [o.windowBars, o.features], name: 'window' });
  let h = input as tf.SymbolicTensor;
  for (let i = 0; i < spec.lstmLayers; i++) {
    h = tf.layers
      .bidirectional({ layer: tf.layers.lstm({ units: spec.lstmUnits, returnSequences: true }) as tf.RNN, mergeMode: 'concat', name: `bilstm_${i + 1}` })
      .apply(h) as tf.SymbolicTensor;
  }
  const attended = new MultiHeadAttention({ numHeads: spec.heads, keyDim: spec.keyDim, name: 'attention', ...(o.seed === undefined ? {} : { seed: o.seed }) }).apply(h) as tf.SymbolicTensor;
  const residual = tf.layers.add({ name: 'residual' }).apply([h, attended]) as tf.SymbolicTensor;
  const normed = new LayerNorm({ name: 'layer_norm' }).apply(residual) as tf.SymbolicTensor;
  let z = new LastTimestep({ name: 'last_step' }).apply(normed) as tf.SymbolicTensor;
  z = tf.layers.dense({ units: spec.dense[0], activation: 'relu', name: 'fc_1' }).apply(z) as tf.SymbolicTensor;
  z = tf.layers.dropout({ rate: spec.dropout, name: 'dropout' }).apply(z) as tf.SymbolicTensor;
  z = tf.layers.dense({ units: spec.dense[1], activation: 'relu', name: 'fc_2' }).apply(z) as tf.SymbolicTensor;
  const output = tf.layers.dense({ units: 1, name: 'change' }).apply(z) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output, name: 'lstm_attention' });
}
