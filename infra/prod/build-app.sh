#!/usr/bin/env bash
# Compiles the application to JavaScript in OUT (default .data/prod/app): src/ and the entry points
# infra/prod/{migrate,bundle-workflows}.ts, with the SQL migrations beside it and the workflow
# bundle prebuilt. The Dockerfile runs the same script; workers run `node OUT/src/workers/main.js`.
#   build-app.sh [OUT]              build
#   build-app.sh --if-stale [OUT]   build only if the sources changed since the last build
set -euo pipefail
cd "$(dirname "$0")/../.."

if_stale=0
if [ "${1:-}" = "--if-stale" ]; then if_stale=1; shift; fi
OUT="${1:-.data/prod/app}"

# Everything the output depends on; its hash is stored with the output.
sources_hash() {
  find src infra/migrations infra/prod/bundle-workflows.ts infra/prod/migrate.ts infra/prod/tsconfig.build.json \
    tsconfig.json package-lock.json -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1
}
hash="$(sources_hash)"
if [ "$if_stale" = 1 ] && [ -f "$OUT/.sources-hash" ] && [ "$(cat "$OUT/.sources-hash")" = "$hash" ]; then
  echo "build-app: up to date ($OUT)"
  exit 0
fi

[ -x node_modules/.bin/tsc ] || { echo "build-app: npm dependencies missing: run npm run bootstrap (or npm ci)" >&2; exit 1; }
start=$(date +%s)
tmp="$OUT.tmp"
rm -rf "$tmp"
node_modules/.bin/tsc -p infra/prod/tsconfig.build.json --outDir "$tmp"
# src/ledger/migrate.ts reads ../../infra/migrations relative to itself.
mkdir -p "$tmp/infra"
cp -R infra/migrations "$tmp/infra/migrations"
node "$tmp/infra/prod/bundle-workflows.js" "$tmp/workflow-bundle.js"
# The web console, bundled once (OUT/console beside OUT/src, where the compiled API looks for it).
node_modules/.bin/tsx src/console/serve.ts build "$tmp/console" >/dev/null
echo "$hash" > "$tmp/.sources-hash"
rm -rf "$OUT"
mv "$tmp" "$OUT"
echo "build-app: built $OUT in $(( $(date +%s) - start ))s"
