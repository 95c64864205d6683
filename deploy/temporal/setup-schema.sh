#!/bin/sh
# Creates (first run) or upgrades (later runs) Temporal's two PostgreSQL
# databases; every step is safe to repeat.
set -eu
tool() { temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$DB_PORT" -u "$POSTGRES_USER" "$@"; }
schema=/etc/temporal/schema/postgresql/v12

until nc -z "$POSTGRES_SEEDS" "$DB_PORT"; do echo 'waiting for postgresql…'; sleep 1; done
for db in temporal temporal_visibility; do
  tool --db "$db" create || true # exists on later runs
done
tool --db temporal setup-schema -v 0.0 || true # already set up on later runs
tool --db temporal update-schema -d "$schema/temporal/versioned"
tool --db temporal_visibility setup-schema -v 0.0 || true
tool --db temporal_visibility update-schema -d "$schema/visibility/versioned"
echo 'temporal schema ready'
