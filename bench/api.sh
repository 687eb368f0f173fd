#!/usr/bin/env bash
# API throughput benchmark (not a test): a release build of `parley serve` on SQLite, loaded by
# wrk from the same machine. Measures GET of a request with a thread of 20 messages, then POST
# of a message to a thread side by side with its reference (bench/bare-api: axum and one sqlx
# INSERT with synchronous = NORMAL), alternated for ROUNDS rounds (default 3), medians last.
# Usage: [ROUNDS=3] bench/api.sh [DURATION_SECONDS] [CONNECTIONS]
set -euo pipefail
source "$(dirname "$0")/raised-limits.sh"
cd "$(dirname "$0")/.."
duration=${1:-10}
connections=${2:-32}
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
rounds=${ROUNDS:-3}
# Another build of Parley to measure (an earlier commit, say) instead of this one.
bin=${PARLEY_BIN:-./target/release/parley}
cargo build --release --quiet
cargo build --release --quiet --manifest-path bench/bare-api/Cargo.toml --target-dir target
data=$(mktemp -d)
port=$((20000 + RANDOM % 20000))
base="http://127.0.0.1:$port"
bare_port=$((port + 1))
bare=
trap 'kill $server $bare 2>/dev/null || true; wait $server $bare 2>/dev/null || true; rm -rf "$data"' EXIT

"$bin" --data-dir "$data" demo > "$data/demo.txt" 2>/dev/null
seller=$(grep 'claire.martin@' "$data/demo.txt" | grep -v '/signin/' | head -1 | awk '{print $NF}')
RUST_LOG=warn "$bin" --data-dir "$data" serve --http "127.0.0.1:$port" 2>"$data/server.log" &
server=$!
for _ in $(seq 100); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.1; done

key=$(grep 'Marketplace integration key' "$data/demo.txt" | awk '{print $NF}')
manufacturer=$(grep 'Manufacturer id' "$data/demo.txt" | awk '{print $NF}')
new_request() {
  curl -sf -H "Authorization: Bearer $key" -H 'content-type: application/json' -d "{
    \"buyer\": {\"name\": \"Bench Buyer $1\", \"country\": \"FR\", \"language\": \"fr\",
                \"email\": \"bench$1@buyer.example\", \"phone\": \"+33 6 00 00 00 00\"},
    \"manufacturer_id\": \"$manufacturer\",
    \"product\": {\"reference\": \"HT-200\", \"name\": \"Centrifugal pump HT-200\"},
    \"message\": \"Bonjour, pouvez-vous me faire une offre ?\"}" "$base/api/v1/requests" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'
}
# One request receives the posts; another gets a thread of exactly 20 messages to read.
request=$(new_request post)
read_request=$(new_request read)
for n in $(seq 20); do
  curl -sf -o /dev/null -H "Authorization: Bearer $seller" -H 'content-type: application/json' \
    -d "{\"body\":\"Message $n of a negotiation about delivery terms and prices.\"}" \
    "$base/api/v1/requests/$read_request/messages"
done
messages=$(curl -sf -H "Authorization: Bearer $seller" "$base/api/v1/requests/$read_request" |
  python3 -c 'import json,sys; print(len(json.load(sys.stdin)["threads"][0]["messages"]))')
echo "thread under read has $messages messages"

cat > "$data/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $seller"
wrk.body = '{"body":"Thank you for your request: our offer follows, delivery in three weeks."}'
LUA
cat > "$data/get.lua" <<LUA
wrk.headers["Authorization"] = "Bearer $seller"
LUA

# Reads first: after the posts, the server is still busy queuing their notifications (two
# emails per message), which would be measured as slower reads.
echo "== GET /api/v1/requests/{id} with a 20-message thread (${duration}s, $connections connections)"
wrk -t2 -c"$connections" -d"${duration}s" --latency -s "$data/get.lua" \
  "$base/api/v1/requests/$read_request" | grep -E 'Requests/sec|99%|50%|Non-2xx|Socket errors'
./target/release/bare-api "$bare_port" "$data/bare.db" &
bare=$!
for _ in $(seq 100); do
  curl -sf -o /dev/null -H 'content-type: application/json' -d '{"body":"warm-up"}' \
    "http://127.0.0.1:$bare_port/messages" && break
  sleep 0.1
done
rate() { grep -E 'Requests/sec' | awk '{print $2}'; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
parley_rates=()
bare_rates=()
for round in $(seq "$rounds"); do
  p=$(wrk -t2 -c"$connections" -d"${duration}s" -s "$data/post.lua" \
    "$base/api/v1/requests/$request/messages" | rate)
  b=$(wrk -t2 -c"$connections" -d"${duration}s" -s "$data/post.lua" \
    "http://127.0.0.1:$bare_port/messages" | rate)
  echo "== round $round: POST messages (${duration}s, $connections connections): Parley $p req/s, bare reference $b req/s"
  parley_rates+=("$p")
  bare_rates+=("$b")
done
p=$(printf '%s\n' "${parley_rates[@]}" | median)
b=$(printf '%s\n' "${bare_rates[@]}" | median)
echo "== median of $rounds rounds: Parley $p req/s, bare reference $b req/s: $(python3 -c "print(round($p / $b, 2))")x"
curl -sf "$base/metrics" | grep -E 'parley_http_requests_total.*(messages|requests/\{id\}")' || true
