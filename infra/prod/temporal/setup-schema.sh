#!/bin/sh
# Creates or upgrades Temporal's two PostgreSQL schemas, idempotently: `setup-schema -v 0.0` (version
# tables; a no-op once set up), then `update-schema` to the versioned directory of the server's
# release. Run by infra/prod/prod.ts here and by the schema job of docker-compose.yml, so both use
# the same commands.
# Env: SQL_HOST, SQL_PORT (5432), SQL_USER, SQL_PASSWORD (read by the tool itself, never on the
#      command line), SCHEMA_DIR (<module>/schema/postgresql/v12), TEMPORAL_DB_NAME (temporal),
#      TEMPORAL_VISIBILITY_DB_NAME (temporal_visibility), SQL_TOOL (temporal-sql-tool).
set -eu
tool="${SQL_TOOL:-temporal-sql-tool}"
: "${SQL_HOST:?}" "${SQL_USER:?}" "${SQL_PASSWORD:?}" "${SCHEMA_DIR:?}"
for pair in "${TEMPORAL_DB_NAME:-temporal}:temporal" "${TEMPORAL_VISIBILITY_DB_NAME:-temporal_visibility}:visibility"; do
  db="${pair%%:*}"
  dir="$SCHEMA_DIR/${pair#*:}/versioned"
  [ -d "$dir" ] || { echo "setup-schema: no schema directory $dir" >&2; exit 1; }
  set -- --plugin postgres12 --endpoint "$SQL_HOST" --port "${SQL_PORT:-5432}" --user "$SQL_USER" --database "$db"
  "$tool" "$@" setup-schema -v 0.0
  "$tool" "$@" update-schema -d "$dir"
  echo "setup-schema: $db is at the schema of $dir"
done
