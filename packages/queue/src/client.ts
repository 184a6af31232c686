import { FlowProducer, Queue, type FlowJob, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { PAYLOADS, type PayloadInput, type PayloadOf } from './contracts.js';
import { JOB_OPTIONS } from './options.js';
import { JOB_QUEUE, QUEUES, type JobName, type QueueName } from './names.js';

/** The Redis channel of QueueClient.announceDataset (per queue prefix, so separate deployments never hear each other). */
export const datasetChannel = (prefix: string): string => `${prefix}:events:dataset-ready`;

/** The dataset id of an announceDataset message, or null for anything else. */
export function parseDatasetAnnouncement(message: string): string | null {
  try {
    const v = JSON.parse(message) as { datasetId?: unknown };
    return typeof v.datasetId === 'string' && /^[0-9a-f]{64}$/.test(v.datasetId) ? v.datasetId : null;
  } catch {
    return null;
  }
}

/**
 * The producer side of every queue, under one prefix. Payloads are parsed before `add`
 * (STYLE P2), options come from JOB_OPTIONS unless overridden (a jobId, a delay).
 */
export class QueueClient {
  readonly prefix: string;
  readonly #connection: Redis;
  readonly #queues = new Map<QueueName, Queue>();
  #flow: FlowProducer | null = null;

  constructor(connection: Redis, prefix: string) {
    this.#connection = connection;
    this.prefix = prefix;
  }

  queue(name: QueueName): Queue {
    let q = this.#queues.get(name);
    if (!q) {
      q = new Queue(name, { connection: this.#connection, prefix: this.prefix });
      q.on('error', () => undefined); // connection errors are logged on the connection itself
      this.#queues.set(name, q);
    }
    return q;
  }

  get flow(): FlowProducer {
    this.#flow ??= new FlowProducer({ connection: this.#connection, prefix: this.prefix });
    return this.#flow;
  }

  /** Parses the payload and adds the job to its queue with its default options. */
  async add<N extends JobName>(name: N, payload: PayloadInput<N>, opts: JobsOptions = {}) {
    const data = PAYLOADS[name].parse(payload) as PayloadOf<N>;
    return this.queue(JOB_QUEUE[name]).add(name, data, { ...JOB_OPTIONS[name], ...opts });
  }

  /** A flow node for `name` with parsed data and default options (for FlowProducer trees). */
  node<N extends JobName>(name: N, payload: PayloadInput<N>, opts: JobsOptions = {}, children?: FlowJob[]): FlowJob {
    return {
      name,
      queueName: JOB_QUEUE[name],
      prefix: this.prefix,
      data: PAYLOADS[name].parse(payload),
      opts: { ...JOB_OPTIONS[name], ...opts },
      ...(children ? { children } : {}),
    };
  }

  /**
   * Tells the backtest workers (and the learner) which dataset a cycle will run on, as soon as it
   * is fixed, so they read it while the strategies are still being generated instead of in their
   * first batch. A hint on a Redis channel of this prefix: nobody listening, or a lost message,
   * only means the first batch reads the dataset itself.
   */
  async announceDataset(datasetId: string): Promise<void> {
    await this.#connection.publish(datasetChannel(this.prefix), JSON.stringify({ datasetId }));
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.#queues.values()].map((q) => q.close()));
    if (this.#flow) await this.#flow.close().catch(() => undefined);
  }

  /** Job counts of every queue, for status and metrics. */
  async counts(): Promise<Record<QueueName, Record<string, number>>> {
    const out = {} as Record<QueueName, Record<string, number>>;
    for (const name of Object.values(QUEUES)) {
      out[name] = await this.queue(name).getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed', 'waiting-children', 'prioritized');
    }
    return out;
  }
}
