-- A dataset's candles packed as one value (per symbol in order: ts, open, high, low, close,
-- volume, each as float64 little-endian, the bytes its content hash covers), so a backtest
-- worker or the learner reads a dataset with one row instead of aggregating the candles table
-- (bench:cycle, issue 5). Checked against the hash on every read. Null for datasets made before
-- this column; those are read from the candles table as before. Not compressed: float bytes
-- do not compress, and pglz would only cost time on every write and read.
ALTER TABLE "datasets" ADD COLUMN "columns" BYTEA;
ALTER TABLE "datasets" ALTER COLUMN "columns" SET STORAGE EXTERNAL;
