import { Gauge, type Registry } from '@mastertrade/runtime';

/** Training progress and model quality per symbol, on /metrics (Prometheus). */
export function predictorMetrics(registry: Registry) {
  const gauge = (name: string, help: string) => new Gauge({ name, help, labelNames: ['symbol'] as const, registers: [registry] });
  return {
    trainRunning: gauge('mt_predictor_train_running', 'A training of the symbol is running (1) or not (0)'),
    epoch: gauge('mt_predictor_train_epoch', 'Last finished epoch of the running (or last) training'),
    epochs: gauge('mt_predictor_train_epochs', 'Planned epochs of the running training; early stopping may end sooner'),
    loss: gauge('mt_predictor_train_loss', 'Training MSE of the last epoch (scaled target)'),
    valLoss: gauge('mt_predictor_train_val_loss', 'Validation MSE of the last epoch (scaled target)'),
    learningRate: gauge('mt_predictor_train_learning_rate', 'Adam learning rate of the last epoch (reduce-on-plateau lowers it)'),
    epochSeconds: gauge('mt_predictor_train_epoch_seconds', 'Duration of the last epoch, seconds'),
    eta: gauge('mt_predictor_train_eta_seconds', 'Seconds left if every remaining epoch runs'),
    skill: gauge('mt_predictor_validation_skill', 'Newest model: 1 - MAE_model / MAE_zero-change on validation (> 0 beats "no change")'),
    usable: gauge('mt_predictor_model_usable', 'Newest model beat both naive baselines on validation (1) or not (0)'),
    prediction: gauge('mt_predictor_prediction_pct', 'Newest predicted next-hour close change, %'),
    confidence: gauge('mt_predictor_prediction_confidence', 'Confidence of the newest prediction (P(direction right) from the validation error)'),
  };
}

export type PredictorMetrics = ReturnType<typeof predictorMetrics>;
