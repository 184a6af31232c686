import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.js';
import { captureArtifacts, restoreModel } from '../io/model-io.js';
import { LastTimestep } from './last-timestep.js';
import { MultiHeadAttention } from './multi-head-attention.js';

beforeAll(async () => {
  await initBackend('auto');
});

/** Plain-JS reference: per head softmax(Q Kᵀ/√k) V, concatenated, times Wo (biases zero). */
function reference(x: number[][], wq: number[][], wk: number[][], wv: number[][], wo: number[][], heads: number, k: number): number[][] {
  const mm = (a: number[][], b: number[][]) => a.map((row) => (b[0] as number[]).map((_, j) => row.reduce((s, v, i) => s + v * ((b[i] as number[])[j] as number), 0)));
  const q = mm(x, wq);
  const kk = mm(x, wk);
  const v = mm(x, wv);
  const t = x.length;
  const concat = Array.from({ length: t }, () => new Array<number>(heads * k).fill(0));
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < t; i++) {
      const scores = Array.from({ length: t }, (_, j) => {
        let s = 0;
        for (let c = 0; c < k; c++) s += ((q[i] as number[])[h * k + c] as number) * ((kk[j] as number[])[h * k + c] as number);
        return s / Math.sqrt(k);
      });
      const mx = Math.max(...scores);
      const ex = scores.map((s) => Math.exp(s - mx));
      const sum = ex.reduce((a, b) => a + b, 0);
      for (let c = 0; c < k; c++) {
        let acc = 0;
        for (let j = 0; j < t; j++) acc += ((ex[j] as number) / sum) * ((v[j] as number[])[h * k + c] as number);
        (concat[i] as number[])[h * k + c] = acc;
      }
    }
  }
  return mm(concat, wo);
}

function applyLayer(layer: tf.layers.Layer, x: tf.Tensor): number[][][] {
  return tf.tidy(() => (layer.apply(x) as tf.Tensor).arraySync() as number[][][]);
}

describe('MultiHeadAttention', () => {
  it('maps [batch, T, d] to [batch, T, d] (or outputDim) and has 4 kernels + 4 biases', () => {
    const layer = new MultiHeadAttention({ numHeads: 4, keyDim: 8 });
    const x = tf.randomNormal([3, 7, 16]);
    const y = layer.apply(x) as tf.Tensor;
    expect(y.shape, 'output keeps batch and time, last dim = input dim').toEqual([3, 7, 16]);
    expect(layer.getWeights().map((w) => w.shape)).toEqual([[16, 32], [16, 32], [16, 32], [32, 16], [32], [32], [32], [16]]);
    expect(layer.computeOutputShape([null, 7, 16])).toEqual([null, 7, 16]);
    const narrow = new MultiHeadAttention({ numHeads: 2, keyDim: 3, outputDim: 5 });
    expect((narrow.apply(x) as tf.Tensor).shape, 'outputDim sets the last dim').toEqual([3, 7, 5]);
    tf.dispose([x, y]);
  });

  it('computes softmax(Q Kᵀ / √k) V by hand on a 2-token identity case', () => {
    const layer = new MultiHeadAttention({ numHeads: 1, keyDim: 2 });
    const x = tf.tensor3d([[[1, 0], [0, 1]]]);
    layer.apply(x); // builds
    const eye = tf.eye(2);
    const zeros = tf.zeros([2]);
    layer.setWeights([eye, eye, eye, eye, zeros, zeros, zeros, zeros]);
    // scores = x xᵀ / √2 = diag(1/√2); row 0 weights = softmax([0.7071, 0]) = [0.66976, 0.33024]
    const w0 = Math.exp(Math.SQRT1_2) / (Math.exp(Math.SQRT1_2) + 1);
    const out = applyLayer(layer, x);
    expect(out[0]?.[0]?.[0]).toBeCloseTo(w0, 5);
    expect(out[0]?.[0]?.[1]).toBeCloseTo(1 - w0, 5);
    expect(out[0]?.[1]?.[0]).toBeCloseTo(1 - w0, 5);
    expect(out[0]?.[1]?.[1]).toBeCloseTo(w0, 5);
    tf.dispose([x, eye, zeros]);
  });

  it('matches a plain-JS reference with 2 heads and random weights', () => {
    const heads = 2;
    const k = 3;
    const d = 4;
    const t = 5;
    const layer = new MultiHeadAttention({ numHeads: heads, keyDim: k, seed: 7 });
    const xArr = Array.from({ length: t }, (_, i) => Array.from({ length: d }, (_, j) => Math.sin(i * 1.3 + j * 0.7)));
    const x = tf.tensor3d([xArr]);
    layer.apply(x);
    const [wq, wk, wv, wo] = layer.getWeights().slice(0, 4).map((w) => w.arraySync() as number[][]) as [number[][], number[][], number[][], number[][]];
    const expected = reference(xArr, wq, wk, wv, wo, heads, k);
    const got = applyLayer(layer, x)[0] as number[][];
    for (let i = 0; i < t; i++) for (let j = 0; j < d; j++) expect(got[i]?.[j]).toBeCloseTo((expected[i] as number[])[j] as number, 5);
    x.dispose();
  });

  it('has gradients and survives a save/load round trip (registered class)', async () => {
    const input = tf.input({ shape: [6, 4] });
    const att = new MultiHeadAttention({ numHeads: 2, keyDim: 2, seed: 1 }).apply(input) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 1 }).apply(new LastTimestep().apply(att) as tf.SymbolicTensor) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });
    const x = tf.randomNormal([8, 6, 4], 0, 1, 'float32', 3);
    const y = tf.ones([8, 1]);
    const attention = model.layers[1] as tf.layers.Layer;
    expect(attention).toBeInstanceOf(MultiHeadAttention);
    const before = tf.tidy(() => (attention.getWeights()[0] as tf.Tensor).arraySync());
    await model.trainOnBatch(x, y);
    const after = tf.tidy(() => (attention.getWeights()[0] as tf.Tensor).arraySync());
    expect(after, 'attention kernels change after one step').not.toEqual(before);
    const loaded = await restoreModel(await captureArtifacts(model));
    expect(loaded.layers.some((l) => l instanceof MultiHeadAttention)).toBe(true);
    const a = tf.tidy(() => Array.from((model.predict(x) as tf.Tensor).dataSync()));
    const b = tf.tidy(() => Array.from((loaded.predict(x) as tf.Tensor).dataSync()));
    expect(b).toEqual(a);
    tf.dispose([x, y]);
    model.dispose();
    loaded.dispose();
  });
});
