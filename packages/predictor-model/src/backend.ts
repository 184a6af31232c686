import * as tf from '@tensorflow/tfjs';

/** `auto`: tfjs-node when it loads, else wasm, else cpu. The others force one backend. */
export type BackendChoice = 'auto' | 'tensorflow' | 'wasm' | 'cpu';

export const BACKEND_CHOICES = ['auto', 'tensorflow', 'wasm', 'cpu'] as const satisfies readonly BackendChoice[];

export interface BackendInfo {
  /** The backend tfjs runs on: `tensorflow` (tfjs-node, native), `wasm` or `cpu`. */
  name: string;
  /** Why this one, for the log (e.g. why tfjs-node was not used). */
  reason: string;
}

/** Thrown when a forced backend cannot be initialised. */
export class BackendError extends Error {
  override readonly name = 'BackendError';
}

// A variable, so TypeScript neither resolves nor requires the optional package.
const TFJS_NODE = '@tensorflow/tfjs-node';

let current: Promise<BackendInfo> | null = null;
let currentChoice: BackendChoice | null = null;

/**
 * Picks and initialises the tfjs backend once per process (a second call with the same choice
 * returns the same answer). On this 2-core machine wasm trains our models 2-5x faster than
 * the pure-JS cpu backend (bench/predictor.bench.mjs; DEPENDENCIES.md measured 1.6x and 2.8x on
 * plain BiLSTMs); tfjs-node (native TensorFlow) is faster still where its install could
 * download libtensorflow.
 */
export function initBackend(choice: BackendChoice = 'auto'): Promise<BackendInfo> {
  if (current && currentChoice === choice) return current;
  currentChoice = choice;
  current = select(choice);
  current.catch(() => {
    current = null;
    currentChoice = null;
  });
  return current;
}

async function select(choice: BackendChoice): Promise<BackendInfo> {
  const notes: string[] = [];
  if (choice === 'auto' || choice === 'tensorflow') {
    try {
      await import(TFJS_NODE);
      if (await tf.setBackend('tensorflow')) {
        await tf.ready();
        return { name: 'tensorflow', reason: '@tensorflow/tfjs-node loaded (native TensorFlow)' };
      }
      notes.push('@tensorflow/tfjs-node loaded but its backend did not initialise');
    } catch (err) {
      notes.push(`@tensorflow/tfjs-node not available (${firstLine(err)})`);
    }
    if (choice === 'tensorflow') throw new BackendError(notes.join('; '));
  }
  if (choice === 'auto' || choice === 'wasm') {
    try {
      await import('@tensorflow/tfjs-backend-wasm');
      if (await tf.setBackend('wasm')) {
        await tf.ready();
        return { name: 'wasm', reason: [...notes, 'wasm is the fastest backend without tfjs-node (2-5x the cpu backend here: npm run bench:predictor)'].join('; ') };
      }
      notes.push('the wasm backend did not initialise');
    } catch (err) {
      notes.push(`wasm backend failed (${firstLine(err)})`);
    }
    if (choice === 'wasm') throw new BackendError(notes.join('; '));
  }
  if (!(await tf.setBackend('cpu'))) throw new BackendError([...notes, 'the cpu backend did not initialise'].join('; '));
  await tf.ready();
  return { name: 'cpu', reason: choice === 'cpu' ? 'cpu requested' : [...notes, 'falling back to the pure-JS cpu backend'].join('; ') };
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]?.slice(0, 160) ?? '';
}
