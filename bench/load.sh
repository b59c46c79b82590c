#!/usr/bin/env bash
# HTTP load on a purpose-bound read, server memory at idle and under load, and
# start-up time. Needs wrk (apt-get install wrk). Only loopback is touched;
# every loop is bounded in count and time.
#
#   bench/load.sh [sqlite|postgres] [seconds] [connections]
#   STEWARD=path/to/steward bench/load.sh ...   (another build, e.g. an older commit)
#   PG_PARAMS=sslmode=disable bench/load.sh postgres
set -euo pipefail
cd "$(dirname "$0")/.."

backend=${1:-sqlite}
seconds=${2:-10}
connections=${3:-32}
port=18080
work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT

if [ -n "${STEWARD:-}" ]; then
  steward=$STEWARD
else
  cargo build --release -q -p steward-cli
  steward=target/release/steward
fi
args=(--policy policies/connectel.toml --data-dir "$work")
if [ "$backend" = postgres ]; then
  db=steward_load_$$
  psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE $db"
  trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"; psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS '"$db"' WITH (FORCE)"' EXIT
  # PG_PARAMS=sslmode=disable measures without TLS (the local server offers
  # it, and sqlx's default, prefer, takes it).
  args+=(--database "postgres://postgres@127.0.0.1:5432/$db${PG_PARAMS:+?$PG_PARAMS}")
fi

token=$("$steward" token create "${args[@]}" --role service --purpose customer_service 2>/dev/null)

# Start-up: from exec to the first 200 from /healthz (at most 10 s).
start=$(date +%s%N)
"$steward" serve "${args[@]}" --listen 127.0.0.1:$port 2>"$work/serve.log" &
server=$!
for _ in $(seq 1 1000); do
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
  sleep 0.01
done
ready=$(date +%s%N)
echo "start-up: $(( (ready - start) / 1000000 )) ms"

# A customer with ten records for customer service.
h="Authorization: Bearer $token"
subject=$(curl -sf "http://127.0.0.1:$port/v1/subjects" -H "$h" -H 'Content-Type: application/json' \
  -d '{"subject_type":"customer_contact","age":40,"identities":[{"kind":"email","value":"load@example.se"}]}' | sed 's/.*"id":"\([^"]*\)".*/\1/')
for i in $(seq 1 10); do
  curl -sf "http://127.0.0.1:$port/v1/subjects/$subject/records" -H "$h" -H 'Content-Type: application/json' \
    -d "{\"category\":\"contact.email\",\"value\":\"load$i@example.se\",\"purposes\":[\"customer_service\"]}" >/dev/null
done

rss() { awk '/VmRSS/ {print $2 " kB"}' "/proc/$server/status"; }
echo "memory at idle: $(rss)"

echo "purpose-bound read of 10 records, $connections connections, ${seconds}s:"
wrk -t2 -c"$connections" -d"${seconds}s" -H "$h" \
  "http://127.0.0.1:$port/v1/subjects/$subject/data?purpose=customer_service" | tee "$work/wrk.txt" &
load=$!
sleep $(( seconds / 2 ))
echo "memory under load: $(rss)"
wait $load
echo "memory after load: $(rss)"

echo "/healthz (no database), $connections connections, 5s:"
wrk -t2 -c"$connections" -d5s "http://127.0.0.1:$port/healthz" | grep -E "Requests/sec|Latency"
