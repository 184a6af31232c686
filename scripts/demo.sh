#!/usr/bin/env bash
# The README's main command: on a fresh machine, set everything up and run one complete
# 500-strategy cycle on the embedded data through the real services (queues, workers,
# PostgreSQL), then print the summary and stop the services.
#   COUNT=500 BACKTEST_WORKERS=2 bash scripts/demo.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/ensure-infra.sh

export QUEUE_PREFIX="${QUEUE_PREFIX:-mt}"
export LOG_LEVEL="${LOG_LEVEL:-warn}"
npm run --silent db:migrate

# The scheduler is not needed for a manual cycle; everything else runs as in production.
SERVICES="${SERVICES:-data-fetcher,generator,learner,backtest-worker}" node scripts/services.mjs > .demo-services.log 2>&1 &
services=$!
trap 'kill -TERM $services 2>/dev/null; wait $services 2>/dev/null || true' EXIT
sleep 2
node packages/cli/bin/mastertrade.js cycle --count "${COUNT:-500}" --wait "$@"
echo
node packages/cli/bin/mastertrade.js strategies --status paper_trading --limit 20
