#!/usr/bin/env bash
# Builds the Temporal server and its SQL schema tool from the Go module (Go module proxy only),
# into the git-ignored .data/tools/bin. Rebuilds only when the version or the Go toolchain changed.
# Env: TEMPORAL_SERVER_VERSION (default v1.31.2), TOOLS_DIR (default .data/tools).
set -euo pipefail
cd "$(dirname "$0")/../.."

VERSION="${TEMPORAL_SERVER_VERSION:-v1.31.2}"
TOOLS_DIR="${TOOLS_DIR:-.data/tools}"
BIN="$TOOLS_DIR/bin"

command -v go >/dev/null 2>&1 || { echo "build-temporal: Go is required (1.26+ for Temporal $VERSION)" >&2; exit 1; }
want="go.temporal.io/server@$VERSION $(go env GOVERSION) $(go env GOOS)/$(go env GOARCH)"
stamp="$BIN/.temporal-stamp"
if [ -x "$BIN/temporal-server" ] && [ -x "$BIN/temporal-sql-tool" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  echo "build-temporal: up to date ($want)"
  exit 0
fi

mkdir -p "$BIN"
stage="$(mktemp -d "$TOOLS_DIR/.build.XXXXXX")"
trap 'rm -rf "$stage"' EXIT
start=$(date +%s)
echo "build-temporal: building go.temporal.io/server $VERSION (server + sql tool); takes several minutes on 2 cores"
# Static binaries like the official images; `nice` leaves the machine usable meanwhile.
GOBIN="$(cd "$stage" && pwd)" CGO_ENABLED=0 nice -n 10 go install -trimpath \
  "go.temporal.io/server/cmd/server@$VERSION" \
  "go.temporal.io/server/cmd/tools/sql@$VERSION"
mv -f "$stage/server" "$BIN/temporal-server"
mv -f "$stage/sql" "$BIN/temporal-sql-tool"
echo "$want" > "$stamp"
# Schema files the sql tool applies come from the same module in the module cache.
go mod download "go.temporal.io/server@$VERSION"
echo "build-temporal: done in $(( $(date +%s) - start ))s: $BIN/temporal-server, $BIN/temporal-sql-tool"
