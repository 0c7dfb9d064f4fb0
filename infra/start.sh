#!/usr/bin/env bash
# The one start command (`npm start`): installs what is missing, starts Temporal (UI on :8233),
# Postgres, the SMTP receiver and the worker in the background, starts a demo round, and prints
# where to look. `npm stop` stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
bash infra/bootstrap.sh
exec node_modules/.bin/tsx infra/cli.ts start "$@"
