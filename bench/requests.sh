#!/usr/bin/env bash
# Rights requests end to end on the benchmark shop database: a fresh
# `bench/shop.sql` database (n customers, 100,000 by default) declared
# as a connected PostgreSQL system (bench/shop-policy.toml), `steward serve`
# with two workers, and the timing client
# (crates/steward-server/examples/requests.rs). Only loopback is touched.
#
#   bench/requests.sh [sqlite|postgres] [customers] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."

backend=${1:-sqlite}
customers=${2:-100000}
rounds=${3:-10}
port=18081
work=$(mktemp -d)
shop=steward_bench_shop_$$
export PGOPTIONS="-c client_min_messages=warning"
pg="psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -q"
server=
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null
  true
  rm -rf "$work"
  $pg -d postgres -c "DROP DATABASE IF EXISTS $shop WITH (FORCE)"
  [ "$backend" = postgres ] && $pg -d postgres -c "DROP DATABASE IF EXISTS ${shop}_steward WITH (FORCE)"
  true
}
trap cleanup EXIT

cargo build --release -q -p steward-cli
cargo build --release -q -p steward-server --example requests
steward=target/release/steward

$pg -d postgres -c "CREATE DATABASE $shop"
$pg -d "$shop" -v n="$customers" -f bench/shop.sql >/dev/null
export SHOP_DATABASE_URL="postgres://postgres@127.0.0.1:5432/$shop"

args=(--policy bench/shop-policy.toml --data-dir "$work")
if [ "$backend" = postgres ]; then
  $pg -d postgres -c "CREATE DATABASE ${shop}_steward"
  args+=(--database "postgres://postgres@127.0.0.1:5432/${shop}_steward")
fi
token=$("$steward" token create "${args[@]}" --role privacy_officer 2>/dev/null)

"$steward" serve "${args[@]}" --listen 127.0.0.1:$port --workers 2 2>"$work/serve.log" &
server=$!
for _ in $(seq 1 1000); do
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
  sleep 0.01
done

echo "backend $backend, $customers customers, $rounds rounds"
STEWARD_URL="http://127.0.0.1:$port" STEWARD_TOKEN="$token" ROUNDS="$rounds" POLL_MS="${POLL_MS:-1}" \
  target/release/examples/requests
