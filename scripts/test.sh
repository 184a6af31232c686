#!/usr/bin/env bash
# The README's test command: set-up (services, install, build, migrations tool) then every test.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/ensure-infra.sh
npx vitest run "$@"
