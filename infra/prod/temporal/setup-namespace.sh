#!/bin/sh
# Creates the namespace and the search attributes the workflows upsert, each only if missing.
# Run by infra/prod/prod.ts here (with the project's Temporal CLI) and by the setup job of
# docker-compose.yml and k8s/ (temporalio/admin-tools image), so both use the same commands.
# Env: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE (default), NAMESPACE_RETENTION (30d), TEMPORAL_CLI (temporal),
#      XUNCHA_SEARCH_ATTRIBUTES (name:Type,...; default as in src/domain/search.ts).
set -eu
cli="${TEMPORAL_CLI:-temporal}"
ns="${TEMPORAL_NAMESPACE:-default}"
addr="${TEMPORAL_ADDRESS:?}"
attrs="${XUNCHA_SEARCH_ATTRIBUTES:-RoundId:Keyword,UnitId:Keyword,Phase:Keyword,OverdueItems:Int}"
t() { "$cli" "$@" --address "$addr"; }
retry() { # retry <seconds> <what> <command...>
  n="$1"; what="$2"; shift 2
  i=0
  until "$@" >/dev/null 2>&1; do
    i=$((i + 1))
    [ "$i" -lt "$n" ] || { echo "setup-namespace: $what not ready after ${n}s" >&2; exit 1; }
    sleep 1
  done
}

retry 120 "frontend $addr" t operator cluster health
if ! t operator namespace describe --namespace "$ns" >/dev/null 2>&1; then
  t operator namespace create --namespace "$ns" --retention "${NAMESPACE_RETENTION:-30d}"
  echo "setup-namespace: namespace $ns created"
fi
# Every service learns a new namespace on its next registry refresh (about 10 s).
retry 120 "namespace $ns" t workflow list --namespace "$ns" --limit 1
existing="$(t operator search-attribute list --namespace "$ns")"
for sa in $(echo "$attrs" | tr ',' ' '); do
  name="${sa%%:*}"
  type="${sa#*:}"
  if ! printf '%s\n' "$existing" | grep -qw "$name"; then
    t operator search-attribute create --namespace "$ns" --name "$name" --type "$type"
    echo "setup-namespace: search attribute $name ($type) created"
  fi
done
echo "setup-namespace: namespace $ns ready with $attrs"
