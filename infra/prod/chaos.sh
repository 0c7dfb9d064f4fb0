#!/usr/bin/env bash
# Chaos on the production-shaped stack (`npm run prod:chaos`; `npm test` runs it last): builds the
# Temporal server from its Go module if needed (build-temporal.sh is a no-op when up to date),
# starts the stack (prod.ts start is idempotent), runs the smoke round through it, restarts its
# Temporal server twice mid-round (test/chaos/prod-restart.ts) and stops the stack again, whatever
# happened.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash infra/prod/build-temporal.sh
stop() { node_modules/.bin/tsx infra/prod/prod.ts stop >/dev/null 2>&1 || true; }
trap stop EXIT
node_modules/.bin/tsx infra/prod/prod.ts start
node_modules/.bin/tsx infra/prod/smoke.ts
node_modules/.bin/tsx test/chaos/prod-restart.ts
