#!/usr/bin/env bash
# The officer's queue with many open requests: how long one page takes, and
# all of them page by page. Submissions go through an officer's token (the
# limits per client do not apply to it). Only loopback is touched.
#
#   bench/queue.sh [open requests] [rounds]
#   STEWARD=/path/to/steward bench/queue.sh   # another build, to compare
set -euo pipefail
cd "$(dirname "$0")/.."

open=${1:-1211}
rounds=${2:-5}
port=18082
work=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT

if [ -z "${STEWARD:-}" ]; then
  cargo build --release -q -p steward-cli
  STEWARD=target/release/steward
fi
args=(--policy policies/connectel.toml --data-dir "$work")
token=$("$STEWARD" token create "${args[@]}" --role privacy_officer 2>/dev/null)
"$STEWARD" serve "${args[@]}" --listen 127.0.0.1:$port --workers 0 2>"$work/serve.log" &
server=$!
for _ in $(seq 1 1000); do
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
  sleep 0.01
done
h="Authorization: Bearer $token"
for i in $(seq 1 "$open"); do
  curl -sf "http://127.0.0.1:$port/v1/requests" -H "$h" -H 'Content-Type: application/json' \
    -d "{\"kind\":\"access\",\"identities\":[{\"kind\":\"email\",\"value\":\"q$i@example.se\"}]}" >/dev/null
done

# The median of $rounds timings of one GET.
median() {
  for _ in $(seq 1 "$rounds"); do
    curl -sf -o /dev/null -w '%{time_total}\n' "$1" -H "$h"
  done | sort -n | awk '{ a[NR] = $1 } END { printf "%.3f s\n", a[int((NR + 1) / 2)] }'
}
echo "$open open requests"
echo "GET /v1/requests (first page, or all where there are no pages): $(median "http://127.0.0.1:$port/v1/requests")"
echo "GET /v1/requests?limit=500: $(median "http://127.0.0.1:$port/v1/requests?limit=500")"

# Every page, following Link headers.
start=$(date +%s%N)
next="/v1/requests?limit=50"
pages=0
while [ -n "$next" ]; do
  link=$(curl -sf -D - -o /dev/null "http://127.0.0.1:$port$next" -H "$h" | tr -d '\r' | sed -n 's/^link: <\([^>]*\)>.*/\1/Ip')
  pages=$((pages + 1))
  next=$link
done
end=$(date +%s%N)
echo "all $pages pages of 50: $(( (end - start) / 1000000 )) ms"
