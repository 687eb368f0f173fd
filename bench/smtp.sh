#!/usr/bin/env bash
# SMTP relay throughput: Postfix's smtp-source sends MESSAGES messages over SESSIONS parallel
# sessions, first to Postfix's smtp-sink (accepts and discards: the ceiling of this machine),
# then to `parley serve`, which stores every message in its conversation (trimmed, with its
# history event and the seller's notification, committed before 250). 5 KB and 100 KB bodies.
#
#   bench/smtp.sh                     # 20,000 messages, 10 sessions
#   MESSAGES=2000 bench/smtp.sh       # quicker
#
# Needs Debian's postfix package for smtp-source and smtp-sink (its daemon is not started):
#   echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
#   DEBIAN_FRONTEND=noninteractive apt-get install -y postfix
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/sbin"
MESSAGES="${MESSAGES:-20000}"
SESSIONS="${SESSIONS:-10}"
SIZES="${SIZES:-5120 102400}"
# REUSE=-d sends every message of a session over one connection; the default opens one
# connection per message, as mail servers delivering to Parley mostly do.
REUSE="${REUSE:-}"

cargo build --release --quiet
work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 1 600); do (echo > "/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }

sink_port=$(free_port)
smtp-sink -u nobody "127.0.0.1:$sink_port" 1024 & pids+=($!)
smtp_port=$(free_port)
http_port=$(free_port)
RUST_LOG=warn ./target/release/parley --data-dir "$work/data" serve --demo \
  --http "127.0.0.1:$http_port" --smtp "127.0.0.1:$smtp_port" >"$work/demo.txt" 2>"$work/serve.log" &
pids+=($!)
wait_port "$sink_port"
wait_port "$smtp_port"
line=$(grep -m1 '^  swaks ' "$work/demo.txt")
from=$(sed -E 's/.*--from ([^ ]+).*/\1/' <<<"$line")
to=$(sed -E 's/.*--to ([^ ]+).*/\1/' <<<"$line")
echo "parley $(git rev-parse --short HEAD), $(nproc) cores; $MESSAGES messages, $SESSIONS sessions"
echo "sender $from -> masked address $to"

run() { # name port size
  local start end
  start=$(date +%s.%N)
  # shellcheck disable=SC2086
  smtp-source $REUSE -s "$SESSIONS" -l "$3" -m "$MESSAGES" -f "$from" -t "$to" "127.0.0.1:$2"
  end=$(date +%s.%N)
  python3 -c "import sys; n,s,e=int(sys.argv[1]),float(sys.argv[2]),float(sys.argv[3]); print(f'{sys.argv[4]:<10} {int(sys.argv[5])//1024:>4} KB  {n/(e-s):8.0f} msg/s  ({e-s:.1f} s)')" \
    "$MESSAGES" "$start" "$end" "$1" "$3"
}

for size in $SIZES; do
  run smtp-sink "$sink_port" "$size"
  run parley "$smtp_port" "$size"
done

# Every 250 is a stored message: count them through the API.
token=$(grep -F "$from" "$work/demo.txt" | grep -v signin | grep -m1 -Eo 'prl_[0-9a-f]+')
request=$(grep -Eo '/requests/[0-9a-f-]{36}' "$work/demo.txt" | tail -1 | cut -d/ -f3)
curl -s -H "Authorization: Bearer $token" "http://127.0.0.1:$http_port/api/v1/requests/$request" >"$work/request.json"
stored=$(python3 -c 'import json,sys; d=json.load(sys.stdin); print(sum(1 for t in d["threads"] for m in t["messages"] if m.get("full_email") is not None))' <"$work/request.json" || head -c 300 "$work/request.json")
sizes_count=$(wc -w <<<"$SIZES")
echo "stored emailed messages in the conversation: $stored (sent: $((MESSAGES * sizes_count)))"
grep -E 'ERROR|WARN' "$work/serve.log" | head -5 || true
