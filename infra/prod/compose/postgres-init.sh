#!/bin/sh
# First start of the compose Postgres only (docker-entrypoint-initdb.d): the roles and databases
# infra/prod/prod.ts creates on the test machine. temporal owns both Temporal databases; xuncha owns
# the ledger and may create roles (migration 005 creates the NOLOGIN reader roles).
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v temporal_pw="$TEMPORAL_DB_PASSWORD" -v xuncha_pw="$XUNCHA_DB_PASSWORD" <<'SQL'
CREATE ROLE temporal LOGIN PASSWORD :'temporal_pw';
CREATE ROLE xuncha LOGIN CREATEROLE PASSWORD :'xuncha_pw';
CREATE DATABASE temporal OWNER temporal;
CREATE DATABASE temporal_visibility OWNER temporal;
CREATE DATABASE xuncha_prod OWNER xuncha;
SQL
