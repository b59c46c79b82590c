#!/usr/bin/env bash
# Server time of the privacy portal's pages on SQLite: wrk's latency
# percentiles on loopback (one connection, so no queueing), and the
# server's own mean from its request-duration histogram (/metrics).
# Needs wrk (apt-get install wrk). Each call comes "from" another address
# (X-Forwarded-For, Steward trusting loopback as its proxy), so the limits
# per client address, which would answer most calls 429, are not what is
# measured.
#
#   bench/portal.sh [seconds]
#   STEWARD=path/to/steward bench/portal.sh    (another build)
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-10}
port=18181
work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT

if [ -n "${STEWARD:-}" ]; then
  steward=$STEWARD
else
  cargo build --release -q -p steward-cli
  steward=target/release/steward
fi
"$steward" serve --policy policies/connectel.toml --data-dir "$work" \
  --listen 127.0.0.1:$port --workers 1 --trusted-proxy 127.0.0.1 >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
  sleep 0.1
done

# A request to follow: its page needs the follow secret's cookie.
submitted=$(curl -s "http://127.0.0.1:$port/v1/requests" -H 'content-type: application/json' \
  -d '{"kind":"erasure","identities":[{"kind":"email","value":"bench@example.se"}]}')
id=$(sed -E 's/.*"id":"([^"]+)".*/\1/' <<<"$submitted")
secret=$(sed -E 's/.*"follow_secret":"([^"]+)".*/\1/' <<<"$submitted")

cat >"$work/clients.lua" <<LUA
counter = 0
request = function()
  counter = counter + 1
  local from = "10." .. (counter % 250) .. "." .. (math.floor(counter / 250) % 250) .. ".1"
  return wrk.format(nil, nil, {
    ["X-Forwarded-For"] = from,
    ["Cookie"] = "steward_follow=$secret",
    ["Accept-Language"] = "sv-SE,sv;q=0.9",
  })
end
response = function(status)
  if status >= 300 then
    io.stderr:write("status " .. status .. "\n")
    os.exit(1)
  end
end
LUA

printf '%-28s %8s %8s %8s %12s\n' page p50 p90 p99 requests/s
for page in / /notice /cookies /rights "/requests/new?kind=erasure" "/requests/$id"; do
  out=$(wrk -t1 -c1 -d"${seconds}s" --latency -s "$work/clients.lua" "http://127.0.0.1:$port$page")
  p() { awk -v q="$1" '$1 == q {print $2}' <<<"$out"; }
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  label=$page
  [ "$page" = "/requests/$id" ] && label="/requests/{id}"
  printf '%-28s %8s %8s %8s %12s\n' "$label" "$(p 50%)" "$(p 90%)" "$(p 99%)" "$rps"
done

echo
echo "server's mean time per page (steward_http_request_duration_seconds):"
curl -s "http://127.0.0.1:$port/metrics" | awk '
  /^steward_http_request_duration_seconds_sum/ { match($0, /path="[^"]*"/); p = substr($0, RSTART+6, RLENGTH-7); sum[p] = $2 }
  /^steward_http_request_duration_seconds_count/ { match($0, /path="[^"]*"/); p = substr($0, RSTART+6, RLENGTH-7); count[p] = $2 }
  END { for (p in count) if (p !~ /^\/v1|healthz|metrics/ && count[p] > 0) printf "  %-28s %.3f ms over %d\n", p, 1000 * sum[p] / count[p], count[p] }'
echo "RSS after: $(ps -o rss= -p "$server") KiB"
