#!/usr/bin/env bash
# A flood of public submissions from one client: what gets through, and how
# much the data directory grows. Only loopback is touched.
#
#   bench/flood.sh [posts] [body bytes]
#   STEWARD=/path/to/steward bench/flood.sh   # another build, to compare
set -euo pipefail
cd "$(dirname "$0")/.."

posts=${1:-200}
bytes=${2:-1000000}
port=18083
work=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT

if [ -z "${STEWARD:-}" ]; then
  cargo build --release -q -p steward-cli
  STEWARD=target/release/steward
fi
"$STEWARD" serve --policy policies/connectel.toml --data-dir "$work/data" --listen 127.0.0.1:$port --workers 0 2>"$work/serve.log" &
server=$!
for _ in $(seq 1 1000); do
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
  sleep 0.01
done
before=$(du -sk "$work/data" | cut -f1)
# A rectification carries a value of any size: what a flood would send.
python3 -c "import json,sys; print(json.dumps({'kind':'rectification','identities':[{'kind':'email','value':'victim@example.se'}],'category':'contact.email','value':'x'*int(sys.argv[1])}))" "$bytes" >"$work/body.json"
start=$(date +%s%N)
for _ in $(seq 1 "$posts"); do
  curl -s -o /dev/null -w '%{http_code}\n' "http://127.0.0.1:$port/v1/requests" \
    -H 'Content-Type: application/json' --data-binary @"$work/body.json"
done | sort | uniq -c | sed 's/^/  status /'
end=$(date +%s%N)
after=$(du -sk "$work/data" | cut -f1)
letters=$( (find "$work/data/outbox" -name '*.txt' 2>/dev/null || true) | wc -l)
echo "$posts posts of $bytes bytes in $(( (end - start) / 1000000 )) ms; data grew $(( after - before )) kB; $letters letters to the victim"
