export * from './names.js';
export * from './contracts.js';
export { JOB_OPTIONS } from './options.js';
export * from './errors.js';
export { QueueClient, datasetChannel, parseDatasetAnnouncement } from './client.js';
export { startWorker, type Handler, type Handlers, type JobContext, type StartWorkerOptions, type WorkerLogger } from './worker.js';
