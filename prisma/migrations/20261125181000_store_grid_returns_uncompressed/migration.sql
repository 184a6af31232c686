-- A result's grid returns (about 360 float64, 2.9 KB) make its row larger than the TOAST
-- threshold, so PostgreSQL tried to compress them on every insert: float bytes do not compress,
-- and the attempt cost CPU on every batch write (bench:cycle, issue 5). Stored out of line as
-- they are.
ALTER TABLE "backtest_results" ALTER COLUMN "grid_returns" SET STORAGE EXTERNAL;
