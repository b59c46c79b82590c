#!/usr/bin/env bash
# The retention sweep in a connected database: a fresh `bench/shop.sql`
# database on the local PostgreSQL (n customers, 2 support tickets each),
# its tickets' created_at spread evenly over the 4 years before "today"
# (15 March 2026), then the sweep of `support_tickets` as
# bench/shop-policy.toml declares it (deleted 24 months after created_at,
# so about half are due), timed by
# crates/steward-connectors/examples/retention_sweep.rs: a dry run, the
# sweep, and a second sweep with nothing due; first on a day when nothing
# is due yet in the full table. Only loopback is touched.
#
#   bench/retention-systems.sh [customers] [batch]
#   INDEX=0 bench/retention-systems.sh ...   (no index on created_at)
set -euo pipefail
cd "$(dirname "$0")/.."

customers=${1:-100000}
batch=${2:-1000}
shop=steward_bench_retention_$$
export PGOPTIONS="-c client_min_messages=warning"
pg="psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -q"
trap '$pg -d postgres -c "DROP DATABASE IF EXISTS $shop WITH (FORCE)"' EXIT

cargo build --release -q -p steward-connectors --example retention_sweep

$pg -d postgres -c "CREATE DATABASE $shop"
$pg -d "$shop" -v n="$customers" -f bench/shop.sql >/dev/null
# 1,461 days (4 years) up to 15 March 2026, evenly over the tickets.
$pg -d "$shop" -c "UPDATE support_tickets SET created_at = timestamptz '2022-03-15 00:00:00+01' + make_interval(secs => (id - 1) * (1461 * 86400.0 / $((2 * customers))))"
if [ "${INDEX:-1}" = 1 ]; then
  $pg -d "$shop" -c "CREATE INDEX support_tickets_created_at_idx ON support_tickets (created_at)"
fi
$pg -d "$shop" -c "VACUUM ANALYZE support_tickets"
echo "support tickets: $($pg -d "$shop" -tAc 'SELECT count(*) FROM support_tickets'), index on created_at: ${INDEX:-1}"

export STEWARD_SHOP_URL="postgres://postgres@127.0.0.1:5432/$shop"
echo "-- on 15 March 2024: nothing is 24 months old yet"
target/release/examples/retention_sweep bench/shop-policy.toml 2024-03-15 "$batch"
echo "-- on 15 March 2026: the first half is due"
target/release/examples/retention_sweep bench/shop-policy.toml 2026-03-15 "$batch"
