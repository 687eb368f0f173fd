#!/usr/bin/env bash
# Translation benchmark (not a test): a release build of `parley serve` with the demo data and
# Debian's apertium-apy (started by Parley). Prints the first-translation latency per pair
# through Apertium (direct and pivot), then loads the cached path with wrk:
# POST /api/v1/messages/{id}/translations for a message already translated.
# Usage: bench/translate.sh [DURATION_SECONDS] [CONNECTIONS]
set -euo pipefail
source "$(dirname "$0")/raised-limits.sh"
cd "$(dirname "$0")/.."
duration=${1:-10}
connections=${2:-32}
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
command -v apertium-apy >/dev/null || { echo "apertium-apy is not installed (scripts/demo installs it)"; exit 1; }
cargo build --release --quiet
data=$(mktemp -d)
port=$((20000 + RANDOM % 20000))
base="http://127.0.0.1:$port"
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$data"' EXIT

./target/release/parley --data-dir "$data" demo > "$data/demo.txt" 2>/dev/null
lucia=$(grep 'lucia.garcia@' "$data/demo.txt" | grep -v '/signin/' | head -1 | awk '{print $NF}')
claire=$(grep 'claire.martin@' "$data/demo.txt" | grep -v '/signin/' | head -1 | awk '{print $NF}')
request=$(grep -Eo 'requests/[0-9a-f-]{36} as Lucía' "$data/demo.txt" | cut -d/ -f2 | cut -d' ' -f1)
RUST_LOG=warn ./target/release/parley --data-dir "$data" serve --http "127.0.0.1:$port" \
  --smtp "127.0.0.1:$((port + 1))" 2>"$data/server.log" &
server=$!
for _ in $(seq 300); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.1; done

first_id() { # token request author -> the newest message id of that author
  curl -sf -H "Authorization: Bearer $1" "$base/api/v1/requests/$2" |
    python3 -c "import json,sys; d=json.load(sys.stdin); print([m['id'] for t in d['threads'] for m in t['messages'] if m['author']=='$3'][0])"
}
translate() { # token message target -> "seconds engine via"
  curl -s -o "$data/t.json" -w '%{time_total}' -H "Authorization: Bearer $1" \
    -H 'content-type: application/json' -d "{\"target\":\"$3\"}" "$base/api/v1/messages/$2/translations" >"$data/time"
  python3 -c "import json; d=json.load(open('$data/t.json')); print(f\"{float(open('$data/time').read())*1000:7.1f} ms  {d.get('engine')}  via={d.get('via')}  cached={d.get('cached')}\")"
}
spanish=$(first_id "$lucia" "$request" buyer)
echo "first translations (Apertium, a fresh APY: the first call of a pair starts its pipeline):"
echo "  es → fr  $(translate "$lucia" "$spanish" fr)"
echo "  es → en  $(translate "$lucia" "$spanish" en)"
echo "  es → fr  $(translate "$lucia" "$spanish" fr)   (again: from the cache)"
# A French message of the manufacturer's, to English: no direct pair, through Spanish.
french_request=$(curl -sf -H "Authorization: Bearer $claire" "$base/api/v1/requests?limit=100" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][-1]["id"])')
curl -sf -o /dev/null -H "Authorization: Bearer $claire" -H 'content-type: application/json' \
  -d '{"body":"Bonjour, voici notre meilleur prix pour deux pompes centrifuges, livraison sous trois semaines."}' \
  "$base/api/v1/requests/$french_request/messages"
french=$(first_id "$claire" "$french_request" member)
echo "  fr → en  $(translate "$claire" "$french" en)   (pivot: two Apertium calls)"
echo "  fr → it  $(translate "$claire" "$french" it)   (pivot, pipeline es → it new)"

cat > "$data/cached.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $lucia"
wrk.body = '{"target":"fr"}'
LUA
echo "cached translations, $connections connections, ${duration}s:"
wrk -t2 -c"$connections" -d"${duration}s" -s "$data/cached.lua" \
  "$base/api/v1/messages/$spanish/translations" | grep -E 'Requests/sec|Latency|Non-2xx'
