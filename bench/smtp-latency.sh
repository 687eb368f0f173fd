#!/usr/bin/env bash
# Where an SMTP transaction's time goes: the server's latency for each reply (from the
# client's last packet to the server's answer), read off loopback with tcpdump while
# Postfix's smtp-source sends, for smtp-sink and for Parley side by side. With smtp-source
# waiting for every reply, a session's cycle is the sum of these plus the client's own time.
#
#   bench/smtp-latency.sh                       # parley smtp, 10 sessions, 5 KB
#   MODE=serve SESSIONS=1 bench/smtp-latency.sh
#   BIN=/tmp/old/parley bench/smtp-latency.sh   # another build
#
# Needs postfix (smtp-source, smtp-sink; see bench/smtp.sh) and tcpdump.
set -euo pipefail
source "$(dirname "$0")/raised-limits.sh"
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/sbin"
BIN="${BIN:-./target/release/parley}"; MODE="${MODE:-smtp}"; SESSIONS="${SESSIONS:-10}"
SIZE="${SIZE:-5120}"; N="${N:-20000}"; CAPTURE="${CAPTURE:-0.5}"
command -v tcpdump >/dev/null || { echo "needs tcpdump (apt-get install tcpdump)" >&2; exit 1; }
work=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 1 600); do (echo > "/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }

sink=$(free_port); parley=$(free_port)
smtp-sink -u nobody "127.0.0.1:$sink" 1024 & pids+=($!)
if [ "$MODE" = serve ]; then
  RUST_LOG=warn "$BIN" --data-dir "$work" serve --demo --http "127.0.0.1:$(free_port)" \
    --smtp "127.0.0.1:$parley" >"$work/demo.txt" 2>"$work/log" & pids+=($!)
else
  "$BIN" --data-dir "$work" demo >"$work/demo.txt" 2>/dev/null
  RUST_LOG=warn "$BIN" --data-dir "$work" smtp --smtp "127.0.0.1:$parley" 2>"$work/log" & pids+=($!)
fi
wait_port "$sink"; wait_port "$parley"
line=$(grep -m1 '^  swaks ' "$work/demo.txt")
from=$(sed -E 's/.*--from ([^ ]+).*/\1/' <<<"$line"); to=$(sed -E 's/.*--to ([^ ]+).*/\1/' <<<"$line")

measure() { # name port
  smtp-source -s "$SESSIONS" -l "$SIZE" -m "$N" -f "$from" -t "$to" "127.0.0.1:$2" &
  local source=$!
  sleep 1 # into the steady state (not a synchronisation: the capture is a sample)
  timeout "$CAPTURE" tcpdump -i lo -tt -nn -s 96 "tcp port $2" >"$work/$1.txt" 2>/dev/null || true
  wait "$source"
  python3 - "$work/$1.txt" "$2" "$1" <<'PY'
import collections, re, sys
path, port, name = sys.argv[1], sys.argv[2], sys.argv[3]
# The server's replies in a transaction of smtp-source, in order.
STEPS = ['greeting', 'HELO', 'MAIL', 'RCPT', 'DATA', 'end of data', 'QUIT']
line = re.compile(r'^(\d+\.\d+) IP 127\.0\.0\.1\.(\d+) > 127\.0\.0\.1\.(\d+): Flags \[([^\]]*)\].* length (\d+)')
last = {}      # client port -> time of its last packet (SYN or data)
replies = {}   # client port -> replies seen
latency = collections.defaultdict(list)
for text in open(path):
    m = line.match(text)
    if not m:
        continue
    t, src, dst, flags, length = float(m[1]), m[2], m[3], m[4], int(m[5])
    if dst == port:
        if flags == 'S':
            last[src], replies[src] = t, 0  # a connection seen from its start
        elif length > 0 and src in last:
            last[src] = t
    elif src == port and length > 0 and dst in last:
        step = replies[dst]
        if step < len(STEPS):
            latency[STEPS[step]].append(t - last[dst])
        replies[dst] = step + 1
total = 0.0
print(f'{name}: server latency per reply, µs (mean / median / 90th percentile)')
for step in STEPS:
    values = sorted(latency[step])
    if not values:
        continue
    mean = sum(values) / len(values)
    total += mean
    p = lambda q: values[min(len(values) - 1, int(q * len(values)))] * 1e6
    print(f'  {step:<12} {mean * 1e6:6.0f} {p(0.5):6.0f} {p(0.9):6.0f}   ({len(values)} replies)')
print(f'  {"sum of means":<12} {total * 1e6:6.0f}')
PY
}
echo "parley $(git rev-parse --short HEAD) ($MODE), $SESSIONS sessions, $((SIZE / 1024)) KB"
measure smtp-sink "$sink"
measure parley "$parley"
