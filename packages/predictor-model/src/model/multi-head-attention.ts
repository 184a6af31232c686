import * as tf from '@tensorflow/tfjs';

type LayerArgs = ConstructorParameters<typeof tf.layers.Layer>[0];
type LayerVariable = tf.LayerVariable;

export interface MultiHeadAttentionArgs extends NonNullable<LayerArgs> {
  /** Number of attention heads. */
  numHeads: number;
  /** Size of each head's query/key/value projection. */
  keyDim: number;
  /** Size of the output projection; default the input's last dimension (so a residual can be added). */
  outputDim?: number | null;
  /** Seed of the Glorot-uniform kernel initialiser; default unseeded. */
  seed?: number | null;
}

/**
 * Multi-head self-attention (Vaswani et al. 2017), which tfjs-layers 4.22 lacks:
 * for input X [batch, T, d], per head h: Q = X Wq_h, K = X Wk_h, V = X Wv_h (each [T, keyDim]),
 * A_h = softmax(Q Kᵀ / √keyDim) V; output = concat_h(A_h) Wo + bo, shape [batch, T, outputDim].
 * Projections carry biases. Built from matMul/softmax/transpose, which have gradients on every
 * backend. Registered for (de)serialisation under `className`, so any process that imports this
 * module can load a saved model that contains it.
 */
export class MultiHeadAttention extends tf.layers.Layer {
  static readonly className = 'MtMultiHeadAttention';
  readonly numHeads: number;
  readonly keyDim: number;
  readonly outputDim: number | null;
  readonly seed: number | null;
  #wq: LayerVariable | null = null;
  #wk: LayerVariable | null = null;
  #wv: LayerVariable | null = null;
  #wo: LayerVariable | null = null;
  #bq: LayerVariable | null = null;
  #bk: LayerVariable | null = null;
  #bv: LayerVariable | null = null;
  #bo: LayerVariable | null = null;

  constructor(args: MultiHeadAttentionArgs) {
    super(args);
    if (!(Number.isInteger(args.numHeads) && args.numHeads >= 1)) throw new RangeError(`numHeads must be a positive integer, got ${args.numHeads}`);
    if (!(Number.isInteger(args.keyDim) && args.keyDim >= 1)) throw new RangeError(`keyDim must be a positive integer, got ${args.keyDim}`);
    this.numHeads = args.numHeads;
    this.keyDim = args.keyDim;
    this.outputDim = args.outputDim ?? null;
    this.seed = args.seed ?? null;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const d = shape[shape.length - 1];
    if (typeof d !== 'number') throw new Error(`${this.name}: the input's last dimension must be known, got shape ${JSON.stringify(shape)}`);
    const inner = this.numHeads * this.keyDim;
    const out = this.outputDim ?? d;
    // Distinct seeds per kernel, else all four would start identical.
    const init = (k: number) => tf.initializers.glorotUniform(this.seed === null ? {} : { seed: this.seed + k });
    const zeros = tf.initializers.zeros();
    this.#wq = this.addWeight('query_kernel', [d, inner], 'float32', init(0));
    this.#wk = this.addWeight('key_kernel', [d, inner], 'float32', init(1));
    this.#wv = this.addWeight('value_kernel', [d, inner], 'float32', init(2));
    this.#wo = this.addWeight('output_kernel', [inner, out], 'float32', init(3));
    this.#bq = this.addWeight('query_bias', [inner], 'float32', zeros);
    this.#bk = this.addWeight('key_bias', [inner], 'float32', zeros);
    this.#bv = this.addWeight('value_bias', [inner], 'float32', zeros);
    this.#bo = this.addWeight('output_bias', [out], 'float32', zeros);
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [...shape.slice(0, -1), this.outputDim ?? (shape[shape.length - 1] as number)];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor;
      const [, t, d] = x.shape as [number, number, number];
      const h = this.numHeads;
      const k = this.keyDim;
      const flat = x.reshape([-1, d]);
      // [batch*T, d] · [d, h*k] → [batch, h, T, k]
      const project = (w: LayerVariable | null, b: LayerVariable | null) =>
        tf.add(tf.matMul(flat, read(w)), read(b)).reshape([-1, t, h, k]).transpose([0, 2, 1, 3]);
      const q = project(this.#wq, this.#bq);
      const key = project(this.#wk, this.#bk);
      const v = project(this.#wv, this.#bv);
      const scores = tf.mul(tf.matMul(q, key, false, true), 1 / Math.sqrt(k)); // [batch, h, T, T]
      const weights = tf.softmax(scores); // over the keys (last axis)
      const context = tf.matMul(weights, v).transpose([0, 2, 1, 3]).reshape([-1, h * k]); // [batch*T, h*k]
      const out = tf.add(tf.matMul(context, read(this.#wo)), read(this.#bo));
      return out.reshape([-1, t, out.shape[1] as number]);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), numHeads: this.numHeads, keyDim: this.keyDim, outputDim: this.outputDim, seed: this.seed };
  }
}

function read(v: LayerVariable | null): tf.Tensor {
  if (v === null) throw new Error('MultiHeadAttention used before build()');
  return v.read();
}

tf.serialization.registerClass(MultiHeadAttention);
