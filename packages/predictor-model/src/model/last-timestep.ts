import * as tf from '@tensorflow/tfjs';

/**
 * [batch, T, d] → [batch, d]: the sequence's last step (tfjs has no Lambda layer to slice with).
 * After self-attention the last step has attended to the whole window; it is the state at the
 * bar the prediction is made from.
 */
export class LastTimestep extends tf.layers.Layer {
  static readonly className = 'MtLastTimestep';

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [shape[0] ?? null, shape[shape.length - 1] ?? null];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor3D;
      const [b, t, d] = x.shape;
      return x.slice([0, t - 1, 0], [b, 1, d]).reshape([b, d]);
    });
  }
}

tf.serialization.registerClass(LastTimestep);
