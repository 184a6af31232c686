import type { JobsOptions } from 'bullmq';
import type { JobName } from './names.js';

const HOUR_S = 3600;
const DAY_S = 24 * HOUR_S;

/**
 * Retry and retention per job (STYLE P6), each with its reason. Finished jobs are removed
 * after a bounded age/count: results live in PostgreSQL, Redis only carries work.
 */
export const JOB_OPTIONS = {
  // A cycle start only fails on infrastructure (database, Redis); 5 attempts x exponential
  // 2 s..32 s rides out a ~1 minute database restart. Kept a week for the dashboard.
  'cycle.start': { attempts: 5, backoff: { type: 'exponential', delay: 2000, jitter: 0.3 }, removeOnComplete: { age: 7 * DAY_S, count: 100 }, removeOnFail: { age: 14 * DAY_S, count: 100 } },
  // The deadline fires once; if the database is down at that moment, retry for ~1 minute.
  'cycle.deadline': { attempts: 5, backoff: { type: 'exponential', delay: 2000, jitter: 0.3 }, removeOnComplete: { age: DAY_S, count: 100 }, removeOnFail: { age: 7 * DAY_S, count: 100 } },
  // Exchanges throttle and blip: 6 attempts over 5 s..160 s (~5 min) covers a short outage;
  // longer ones fall back to stored/embedded data, which the cycle reports.
  'fetch.candles': { attempts: 6, backoff: { type: 'exponential', delay: 5000, jitter: 0.3 }, removeOnComplete: { age: 7 * DAY_S, count: 200 }, removeOnFail: { age: 14 * DAY_S, count: 200 } },
  // A backtest is deterministic: a failure repeats unless it was infrastructure (DB write),
  // so 3 attempts 1 s..4 s; bad documents are unrecoverable and fail at once. Completed
  // batches are dropped after a day (thousands per cycle), failed ones kept a week to replay.
  'backtest.run': { attempts: 3, backoff: { type: 'exponential', delay: 1000, jitter: 0.3 }, removeOnComplete: { age: DAY_S, count: 5000 }, removeOnFail: { age: 7 * DAY_S, count: 5000 } },
  // A user's backtest: deterministic like a batch, so only infrastructure failures are worth
  // 3 attempts; kept a day (completed) / a week (failed) so the status URL can report them.
  'backtest.user': { attempts: 3, backoff: { type: 'exponential', delay: 1000, jitter: 0.3 }, removeOnComplete: { age: DAY_S, count: 1000 }, removeOnFail: { age: 7 * DAY_S, count: 1000 } },
  // The learner reads PostgreSQL and writes once per cycle: retry DB blips for ~1 minute.
  'learner.evaluate': { attempts: 5, backoff: { type: 'exponential', delay: 2000, jitter: 0.3 }, removeOnComplete: { age: 7 * DAY_S, count: 100 }, removeOnFail: { age: 14 * DAY_S, count: 100 } },
  // Training takes minutes; a failure is usually data or code: 2 attempts.
  'predictor.train': { attempts: 2, backoff: { type: 'fixed', delay: 60_000 }, removeOnComplete: { age: 7 * DAY_S, count: 50 }, removeOnFail: { age: 14 * DAY_S, count: 50 } },
  // Hourly; a missed prediction is superseded by the next one.
  'predictor.predict': { attempts: 2, backoff: { type: 'fixed', delay: 10_000 }, removeOnComplete: { age: DAY_S, count: 200 }, removeOnFail: { age: 7 * DAY_S, count: 200 } },
} as const satisfies Record<JobName, JobsOptions>;
