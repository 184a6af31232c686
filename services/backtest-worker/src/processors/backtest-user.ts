import { UnrecoverableError } from 'bullmq';
import { runUserBacktest, type UserBacktestDeps } from '@mastertrade/pipeline';
import { backtestUserPayload, InvalidInputError, type BacktestUserResult } from '@mastertrade/queue';

/**
 * `backtest.user` inside the sandbox thread: parse, run, and turn "can never succeed" into
 * BullMQ's UnrecoverableError (the sandbox has no startWorker wrapper to do that mapping).
 */
export async function backtestUser(data: unknown, deps: UserBacktestDeps): Promise<BacktestUserResult> {
  const parsed = backtestUserPayload.safeParse(data);
  if (!parsed.success) throw new UnrecoverableError(`invalid backtest.user payload: ${parsed.error.message}`);
  try {
    return await runUserBacktest(parsed.data, deps);
  } catch (err) {
    if (err instanceof InvalidInputError) throw new UnrecoverableError(err.message);
    throw err;
  }
}
