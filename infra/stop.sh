#!/usr/bin/env bash
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x node_modules/.bin/tsx ]; then echo "nothing to stop (not bootstrapped)"; exit 0; fi
exec node_modules/.bin/tsx infra/cli.ts stop
