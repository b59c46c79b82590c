#!/usr/bin/env bash
# The database statements one purpose-bound read costs, counted from sqlx's
# own statement log (STEWARD_LOG=sqlx::query=debug) around a single read of
# a subject with ten records, on a server with no workers.
#
#   bench/roundtrips.sh [sqlite|postgres]
set -euo pipefail
cd "$(dirname "$0")/.."

backend=${1:-sqlite}
port=18090
work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT

cargo build --release -q -p steward-cli
steward=target/release/steward
args=(--policy policies/connectel.toml --data-dir "$work")
if [ "$backend" = postgres ]; then
  db=steward_roundtrips_$$
  psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE $db"
  trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"; psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS '"$db"' WITH (FORCE)"' EXIT
  args+=(--database "postgres://postgres@127.0.0.1:5432/$db")
fi
token=$("$steward" token create "${args[@]}" --role service --purpose customer_service 2>/dev/null)
STEWARD_LOG=sqlx::query=debug NO_COLOR=1 "$steward" serve "${args[@]}" --listen 127.0.0.1:$port --workers 0 2>"$work/serve.log" &
server=$!
for _ in $(seq 1 1000); do
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
  sleep 0.01
done
auth="Authorization: Bearer $token"
json="Content-Type: application/json"
subject=$(curl -sf "http://127.0.0.1:$port/v1/subjects" -H "$auth" -H "$json" \
  -d '{"subject_type":"customer_contact","age":34,"identities":[{"kind":"email","value":"anna@example.se"}]}' |
  sed -E 's/.*"id":"([^"]+)".*/\1/')
for i in $(seq 1 10); do
  curl -sf "http://127.0.0.1:$port/v1/subjects/$subject/records" -H "$auth" -H "$json" \
    -d '{"category":"contact.email","value":"anna'"$i"'@example.se","purposes":["customer_service"]}' >/dev/null
done
sleep 0.5
before=$(grep -c 'sqlx::query' "$work/serve.log" || true)
curl -sf "http://127.0.0.1:$port/v1/subjects/$subject/data?purpose=customer_service" -H "$auth" >/dev/null
sleep 0.5
after=$(grep -c 'sqlx::query' "$work/serve.log" || true)
echo "$backend: $((after - before)) statements for one purpose-bound read of 10 records:"
tail -n $((after - before)) "$work/serve.log" | sed 's/\x1b\[[0-9;]*m//g' |
  sed -E 's/.*summary="([^"]*)".*/  \1/'
