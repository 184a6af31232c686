import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend.js';
import { LastTimestep } from './last-timestep.js';
import { LayerNorm } from './layer-norm.js';

beforeAll(async () => {
  await initBackend('auto');
});

describe('LayerNorm', () => {
  it('normalises the last axis by hand: [1, 2, 3] → [-1.2247, 0, 1.2247]', () => {
    const out = tf.tidy(() => (new LayerNorm({ epsilon: 0 }).apply(tf.tensor3d([[[1, 2, 3]]])) as tf.Tensor).arraySync() as number[][][]);
    const r = out[0]?.[0] ?? [];
    expect(r[0]).toBeCloseTo(-Math.sqrt(1.5), 5);
    expect(r[1]).toBeCloseTo(0, 6);
    expect(r[2]).toBeCloseTo(Math.sqrt(1.5), 5);
  });

  it("agrees with tf.layers.layerNormalization's forward pass", () => {
    const x = tf.randomNormal([2, 5, 8], 3, 2, 'float32', 11);
    const ours = tf.tidy(() => Array.from((new LayerNorm().apply(x) as tf.Tensor).dataSync()));
    const theirs = tf.tidy(() => Array.from((tf.layers.layerNormalization({ epsilon: 1e-3 }).apply(x) as tf.Tensor).dataSync()));
    ours.forEach((v, i) => expect(v).toBeCloseTo(theirs[i] as number, 4));
    x.dispose();
  });
});

describe('LastTimestep', () => {
  it('takes [batch, T, d] to the last step [batch, d]', () => {
    const x = tf.tensor3d([[[1, 2], [3, 4], [5, 6]], [[7, 8], [9, 10], [11, 12]]]);
    expect(tf.tidy(() => (new LastTimestep().apply(x) as tf.Tensor).arraySync())).toEqual([[5, 6], [11, 12]]);
    expect(new LastTimestep().computeOutputShape([null, 3, 2])).toEqual([null, 2]);
    x.dispose();
  });
});
