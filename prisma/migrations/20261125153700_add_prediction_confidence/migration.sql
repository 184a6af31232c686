-- A prediction's confidence and typical error, both from its model's validation error (services/predictor).
ALTER TABLE "predictions" ADD COLUMN "confidence" DOUBLE PRECISION,
ADD COLUMN "error_pct" DOUBLE PRECISION;
