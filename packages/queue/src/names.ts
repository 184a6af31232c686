/** Queue names. Every queue lives under the deployment's QUEUE_PREFIX (BullMQ `prefix`). */
export const QUEUES = {
  cycle: 'cycle',
  fetch: 'fetch',
  backtest: 'backtest',
  learner: 'learner',
  predictor: 'predictor',
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

/** Job names (dotted, per STYLE §4), each bound to one queue. */
export const JOBS = {
  cycleStart: 'cycle.start',
  cycleDeadline: 'cycle.deadline',
  fetchCandles: 'fetch.candles',
  backtestRun: 'backtest.run',
  backtestUser: 'backtest.user',
  learnerEvaluate: 'learner.evaluate',
  predictorTrain: 'predictor.train',
  predictorPredict: 'predictor.predict',
} as const;

export type JobName = (typeof JOBS)[keyof typeof JOBS];

export const JOB_QUEUE = {
  'cycle.start': QUEUES.cycle,
  'cycle.deadline': QUEUES.cycle,
  'fetch.candles': QUEUES.fetch,
  'backtest.run': QUEUES.backtest,
  'backtest.user': QUEUES.backtest,
  'learner.evaluate': QUEUES.learner,
  'predictor.train': QUEUES.predictor,
  'predictor.predict': QUEUES.predictor,
} as const satisfies Record<JobName, QueueName>;

/**
 * Deterministic job ids mirroring database keys (STYLE P4): a repeated enqueue is a no-op.
 * BullMQ ids must not contain ':'.
 */
export const jobIds = {
  cycleStart: (cycleId: string) => `cycle-${cycleId}`,
  cycleDeadline: (cycleId: string) => `deadline-${cycleId}`,
  learner: (cycleId: string, round = 0) => (round === 0 ? `learn-${cycleId}` : `learn-${cycleId}-r${round}`),
  backtestBatch: (cycleId: string, batch: number, round = 0) => (round === 0 ? `bt-${cycleId}-${batch}` : `bt-${cycleId}-r${round}-${batch}`),
  fetch: (key: string) => `fetch-${key}`,
  /** One training per symbol and UTC day (`2026-11-25`). */
  predictorTrain: (symbol: string, day: string) => `predictor-train-${symbol}-${day}`,
  /** One prediction per symbol and UTC hour (`2026-11-25T14`). */
  predictorPredict: (symbol: string, hour: string) => `predictor-predict-${symbol}-${hour}`,
  /** One user-submitted document per engine version and window: the same document again is the same job. */
  userBacktest: (strategyId: string, engineVersion: string, days: number) => `user-${strategyId}-${engineVersion.replace(/[^A-Za-z0-9._-]/g, '_')}-${days}d`,
} as const;
