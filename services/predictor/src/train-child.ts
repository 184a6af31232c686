import type { TrainMessage, TrainRequest } from './child-runner.js';
import { runTraining } from './training.js';

/**
 * Entry of the training child process (forked by childProcessRunner): one `train` request in,
 * progress and one result out, then exit. SIGTERM cancels at the next batch.
 */
const controller = new AbortController();
process.on('SIGTERM', () => controller.abort());
// The parent is gone (crashed, killed): stop at the next batch rather than train for nobody.
process.on('disconnect', () => controller.abort());

const send = (m: TrainMessage) =>
  new Promise<void>((resolve) => {
    if (!process.send || !process.connected) return resolve();
    try {
      process.send(m, () => resolve());
    } catch {
      resolve();
    }
  });

process.once('message', (raw: unknown) => {
  const req = raw as TrainRequest;
  void (async () => {
    let code = 0;
    try {
      if (req?.type !== 'train') throw new Error(`expected a train request, got ${JSON.stringify(raw).slice(0, 100)}`);
      const output = await runTraining(req.input, {
        signal: controller.signal,
        onBackend: (backend) => void send({ type: 'backend', backend }),
        onEpoch: (progress) => send({ type: 'epoch', progress }),
      });
      await send({ type: 'done', output });
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      await send({ type: 'error', name: e.name, message: e.message, ...(e.stack ? { stack: e.stack } : {}) });
      code = 1;
    }
    if (process.connected) process.disconnect();
    process.exit(code);
  })();
});
