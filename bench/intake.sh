#!/usr/bin/env bash
# Request intake benchmark (not a test): a release build of `parley serve` on SQLite with
# `--sqlite-sync full` (the default: each request synced before its 201), loaded by wrk from the
# same machine with `POST /api/v1/requests` from the demo marketplace's key, each request from
# a new buyer (a tenth from a returning one), for ROUNDS rounds (default 3), the median last.
# Usage: [ROUNDS=3] bench/intake.sh [DURATION_SECONDS] [CONNECTIONS]
set -euo pipefail
source "$(dirname "$0")/raised-limits.sh"
cd "$(dirname "$0")/.."
duration=${1:-10}
connections=${2:-32}
rounds=${ROUNDS:-3}
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
bin=${PARLEY_BIN:-./target/release/parley}
cargo build --release --quiet -p parley
data=$(mktemp -d)
port=$((20000 + RANDOM % 20000))
base="http://127.0.0.1:$port"
server=
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$data"' EXIT

"$bin" --data-dir "$data" demo > "$data/demo.txt" 2>/dev/null
key=$(grep 'Marketplace integration key' "$data/demo.txt" | awk '{print $NF}')
manufacturer=$(grep 'Manufacturer id' "$data/demo.txt" | awk '{print $NF}')
RUST_LOG=warn "$bin" --data-dir "$data" serve --sqlite-sync full --http "127.0.0.1:$port" \
  2>"$data/server.log" &
server=$!
for _ in $(seq 100); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.1; done

cat > "$data/intake.lua" <<LUA
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end
function init(args)
  n = 0
  prefix = tostring(id) .. "-" .. tostring(math.random(1, 1000000000))
end
function request()
  n = n + 1
  local buyer = (n % 10 == 0) and "returning" or (prefix .. "-" .. n)
  local body = '{"buyer": {"name": "Bench Buyer ' .. n .. '", "country": "FR", "language": "fr", '
    .. '"email": "bench' .. buyer .. '@buyer.example", "company": "Bench Industries"}, '
    .. '"manufacturer_id": "$manufacturer", '
    .. '"product": {"reference": "HT-200", "name": "Centrifugal pump HT-200"}, '
    .. '"message": "Bonjour, pouvez-vous me faire une offre pour 12 pompes ? Livraison a Lyon."}'
  return wrk.format("POST", "/api/v1/requests", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer $key",
  }, body)
end
LUA

rates=()
for round in $(seq "$rounds"); do
  out=$(wrk -t2 -c"$connections" -d"${duration}s" --latency -s "$data/intake.lua" "$base")
  rate=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  errors=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
  echo "round $round: $rate requests/s (p50 $(echo "$out" | awk '/ 50%/ {print $2}'), p99 $(echo "$out" | awk '/ 99%/ {print $2}'))${errors:+, $errors non-2xx}"
  rates+=("$rate")
done
median=$(printf '%s\n' "${rates[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}')
echo "median: $median requests/s (POST /api/v1/requests, --sqlite-sync full, $connections connections)"
