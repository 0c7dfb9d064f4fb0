#!/usr/bin/env bash
# The one test command (`npm test`): installs what is missing, typechecks, lints, then runs every
# test against real servers that jest's global setup starts and its teardown stops.
set -euo pipefail
cd "$(dirname "$0")/.."
bash infra/bootstrap.sh
bash infra/ensure-chromium.sh

echo "== typecheck"
node_modules/.bin/tsc --noEmit -p .
node_modules/.bin/tsc -p src/console/tsconfig.json
echo "== lint"
node_modules/.bin/eslint --max-warnings 0 .

# Whatever happens, no server from this run is left behind.
cleanup() { node_modules/.bin/tsx infra/cli.ts stop-test >/dev/null 2>&1 || true; }
trap cleanup EXIT

echo "== tests"
node_modules/.bin/jest --maxWorkers=2 "$@"
# The chaos suite (faults injected into real servers; test-artifacts/chaos-summary.json) after a full run.
if [ $# -eq 0 ]; then echo "== chaos"; node_modules/.bin/jest -c jest.chaos.config.js --maxWorkers=2; fi
# The Temporal server on PostgreSQL restarted mid-round (built from its Go module the first time).
if [ $# -eq 0 ]; then echo "== chaos on the production-shaped stack"; bash infra/prod/chaos.sh; fi
