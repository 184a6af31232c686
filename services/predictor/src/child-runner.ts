import { fork } from 'node:child_process';
import { InsufficientDataError, TrainingAbortedError, type BackendInfo, type EpochProgress } from '@mastertrade/predictor-model';
import type { TrainingInput, TrainingOutput, TrainingRunner } from './training.js';

/** Parent → child. */
export interface TrainRequest {
  type: 'train';
  input: TrainingInput;
}

/** Child → parent. */
export type TrainMessage =
  | { type: 'backend'; backend: BackendInfo }
  | { type: 'epoch'; progress: EpochProgress }
  | { type: 'done'; output: TrainingOutput }
  | { type: 'error'; name: string; message: string; stack?: string };

/** The training child died or broke the protocol. */
export class TrainingProcessError extends Error {
  override readonly name = 'TrainingProcessError';
}

export interface ChildRunnerOptions {
  /** The compiled child entry (dist/train-child.js). */
  childPath: string;
  /** Each line the child writes to stdout/stderr (tfjs warnings), for the log. */
  onOutput?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Called with the child's pid once it is forked (for the log). */
  onStart?: (pid: number | undefined) => void;
  /** How long a cancelled child gets to stop before SIGKILL, ms. */
  killAfterMs?: number;
}

/**
 * Runs each training in a fresh child process (STYLE P8): the service's event loop keeps
 * renewing job locks and answering /metrics while the child computes, the child's memory is
 * returned to the OS when it exits, and a cancelled job is stopped with SIGTERM (the child
 * finishes the current batch and exits), then SIGKILL.
 */
export function childProcessRunner(o: ChildRunnerOptions): TrainingRunner {
  return (input, hooks) =>
    new Promise<TrainingOutput>((resolve, reject) => {
      // Structured clone ('advanced') carries the Float64Array columns as they are.
      const child = fork(o.childPath, [], { serialization: 'advanced', execArgv: [], stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
      o.onStart?.(child.pid);
      const tail: string[] = [];
      for (const stream of ['stdout', 'stderr'] as const) {
        let partial = '';
        child[stream]?.setEncoding('utf8').on('data', (chunk: string) => {
          const lines = (partial + chunk).split('\n');
          partial = lines.pop() ?? '';
          for (const line of lines) {
            if (!line) continue;
            tail.push(line);
            if (tail.length > 20) tail.shift();
            o.onOutput?.(line, stream);
          }
        });
      }
      // The outcome the child reported; the run settles only once the child has exited (and been
      // reaped), so no training process outlives its job.
      let outcome: { err: Error } | { out: TrainingOutput } | null = null;
      let settled = false;
      let killTimer: NodeJS.Timeout | null = null;
      const settle = (err: Error | null, out?: TrainingOutput) => {
        if (settled) return;
        settled = true;
        hooks.signal?.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else resolve(out as TrainingOutput);
      };
      const onAbort = () => {
        child.kill('SIGTERM');
        killTimer = setTimeout(() => child.kill('SIGKILL'), o.killAfterMs ?? 10_000);
        killTimer.unref();
      };
      if (hooks.signal?.aborted) onAbort();
      else hooks.signal?.addEventListener('abort', onAbort, { once: true });
      child.on('message', (raw: unknown) => {
        const m = raw as TrainMessage;
        switch (m?.type) {
          case 'backend':
            hooks.onBackend?.(m.backend);
            break;
          case 'epoch':
            // A throwing hook must not kill the run; progress is best effort.
            Promise.resolve(hooks.onEpoch?.(m.progress)).catch(() => undefined);
            break;
          case 'done':
            outcome ??= { out: m.output };
            break;
          case 'error':
            outcome ??= { err: rebuildError(m.name, m.message, m.stack) };
            break;
          default:
            outcome ??= { err: new TrainingProcessError(`unexpected message from the training process: ${JSON.stringify(raw).slice(0, 200)}`) };
            child.kill('SIGKILL');
        }
      });
      child.on('error', (err) => {
        // Could not be spawned at all: there will be no 'close'.
        if (child.pid === undefined) settle(new TrainingProcessError(`training process: ${err.message}`));
        else outcome ??= { err: new TrainingProcessError(`training process: ${err.message}`) };
      });
      // 'close', not 'exit': it comes after the child's last IPC message and output have been read.
      child.on('close', (code, signal) => {
        if (killTimer) clearTimeout(killTimer);
        if (outcome && 'out' in outcome) return settle(null, outcome.out);
        if (outcome) return settle(outcome.err);
        if (hooks.signal?.aborted) return settle(new TrainingAbortedError('training aborted'));
        settle(new TrainingProcessError(`training process exited (${signal ?? `code ${code}`}) without a result${tail.length ? `; last output:\n${tail.join('\n')}` : ''}`));
      });
      child.send({ type: 'train', input } satisfies TrainRequest, (err) => {
        if (err) {
          outcome ??= { err: new TrainingProcessError(`could not send the job to the training process: ${err.message}`) };
          child.kill('SIGKILL');
        }
      });
    });
}

/** The child's error as the class the handler maps (InsufficientDataError → unrecoverable, ...). */
function rebuildError(name: string, message: string, stack: string | undefined): Error {
  const err =
    name === 'InsufficientDataError' ? new InsufficientDataError(message) : name === 'TrainingAbortedError' ? new TrainingAbortedError(message) : new TrainingProcessError(`${name}: ${message}`);
  if (stack) err.stack = `${err.name}: ${err.message}\n--- in the training process:\n${stack}`;
  return err;
}
