export { openDb, PrismaClient, type Db, type OpenDbOptions } from './client.js';
export { migrate, readMigrations, ensureDatabase, MigrationError, MIGRATIONS_DIR, type MigrateOptions, type MigrateReport, type Migration } from './migrate.js';
export { createTestDatabase, type TestDatabase, type CreateTestDatabaseOptions } from './test-database.js';
export { databaseName, withDatabase, redactUrl } from './database-url.js';
export {
  saveCandles,
  readCandles,
  candleStatus,
  candleBounds,
  lastCandleMs,
  datasetHash,
  type SaveCandlesReport,
  type CandleRange,
  type CandleStatus,
} from './repositories/candles.js';
export { createDataset, loadDataset, type CreateDatasetOptions, type LoadedDataset } from './repositories/datasets.js';
export {
  saveBacktestResult,
  saveTrades,
  saveEquityCurve,
  readEquityCurve,
  downsampleCurve,
  type SaveResultInput,
} from './repositories/results.js';
export { saveBatchResults, type BatchResultInput, type SaveBatchOptions } from './repositories/batch-results.js';
export { saveStrategies, type NewStrategy } from './repositories/strategies.js';
export * from './repositories/cycles.js';
export * from './repositories/cycle-members.js';
export * from './repositories/cycle-results.js';
export * from './repositories/learning.js';
export * from './repositories/strategy-list.js';
export * from './repositories/validation.js';
export * from './repositories/paper.js';
export { Prisma } from './generated/prisma/client.js';
export type * from './generated/prisma/client.js';
