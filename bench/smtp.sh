#!/usr/bin/env bash
# SMTP relay throughput: Postfix's smtp-source sends MESSAGES messages over SESSIONS parallel
# sessions, first to Postfix's smtp-sink (accepts and discards: the ceiling of this machine),
# then to Parley, which stores every message in its conversation (trimmed, with its raw
# original and its history event, committed and synced before 250). 5 KB and 100 KB bodies.
#
# Postfix itself runs too when the script runs as root (POSTFIX=0 to skip): a real MTA that
# syncs every queue file before its 250, then discards the message: a durable reference.
#
# Parley runs two ways, each on fresh demo data:
#   serve  `parley serve --demo`: the listener, the web server and the mail worker in one
#          process; the worker turns every stored reply into two notifications (rendered and
#          "delivered" to the dev mailbox) while the run goes on, on the same two cores.
#   smtp   `parley smtp`: the relay listener alone, as a scale-out deployment runs it (the
#          notifications stay queued for a `parley serve` elsewhere).
#
#   bench/smtp.sh                     # 20,000 messages, 10 sessions, both ways
#   MESSAGES=2000 MODES=smtp bench/smtp.sh
#   ROUNDS=3 SIZES=5120 bench/smtp.sh # smtp-sink and Parley alternated three times: this
#                                     # machine's speed drifts by ±20 % within minutes, so each
#                                     # ratio is taken against the sink of its own round, and
#                                     # the median of the rounds' ratios is printed at the end
#
# Needs Debian's postfix package for smtp-source and smtp-sink (its daemon is not started):
#   echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
#   DEBIAN_FRONTEND=noninteractive apt-get install -y postfix
set -euo pipefail
source "$(dirname "$0")/raised-limits.sh"
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/sbin"
MESSAGES="${MESSAGES:-20000}"
SESSIONS="${SESSIONS:-10}"
SIZES="${SIZES:-5120 102400}"
MODES="${MODES:-serve smtp}"
ROUNDS="${ROUNDS:-1}"
# REUSE=-d sends every message of a session over one connection; the default opens one
# connection per message, as mail servers delivering to Parley mostly do.
REUSE="${REUSE:-}"

cargo build --release --quiet
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  # A private Postfix (below) runs detached: stop it before its queue directory goes.
  [ -n "${pf:-}" ] && postfix -c "$pf/etc" stop >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 1 600); do (echo > "/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }

round=1
run() { # name port size from to
  local start end
  start=$(date +%s.%N)
  # shellcheck disable=SC2086
  smtp-source $REUSE -s "$SESSIONS" -l "$3" -m "$MESSAGES" -f "$4" -t "$5" "127.0.0.1:$2"
  end=$(date +%s.%N)
  # Printed, and kept for the summary (round, name, size, msg/s).
  python3 - "$MESSAGES" "$start" "$end" "$1" "$3" "$round" "$work/results" <<'PY'
import sys
n, start, end, name, size, round_, results = sys.argv[1:]
seconds = float(end) - float(start)
rate = int(n) / seconds
print(f'{name:<14} {int(size) // 1024:>4} KB  {rate:8.0f} msg/s  ({seconds:.1f} s)')
with open(results, 'a') as kept:
    print(round_, name.replace(' ', '_'), size, rate, file=kept)
PY
}

sink_port=$(free_port)
smtp-sink -u nobody "127.0.0.1:$sink_port" 1024 & pids+=($!)
wait_port "$sink_port"
echo "parley $(git rev-parse --short HEAD), $(nproc) cores; $MESSAGES messages, $SESSIONS sessions"
sink() {
  for size in $SIZES; do
    run smtp-sink "$sink_port" "$size" sink@example.com rcpt@example.com
  done
}
sink

# A durable reference beside smtp-sink (which keeps nothing): Postfix itself, in a private
# instance under $work, syncing each queue file before its 250, then discarding the message.
# Needs root (Postfix's master starts as root); POSTFIX=0 skips it.
if [ "${POSTFIX:-1}" = 1 ] && [ "$(id -u)" = 0 ] && [ -x /usr/lib/postfix/sbin/master ]; then
  pf="$work/postfix"
  pf_port=$(free_port)
  mkdir -p "$pf/etc" "$pf/spool" "$pf/data"
  chown postfix "$pf/data"
  chmod 755 "$work"
  sed -E "s/^smtp( +)inet( +)n( +)-( +)y/127.0.0.1:$pf_port inet n - n/" \
    /etc/postfix/master.cf >"$pf/etc/master.cf"
  printf '%s\n' "compatibility_level = 3.6" "queue_directory = $pf/spool" \
    "data_directory = $pf/data" "inet_interfaces = 127.0.0.1" "inet_protocols = ipv4" \
    "myhostname = bench.localhost" "mydestination =" "relay_domains = *" \
    "mynetworks = 127.0.0.0/8" "smtpd_relay_restrictions = permit_mynetworks, reject" \
    "default_transport = discard:bench" "relay_transport = discard:bench" \
    "local_transport = discard:bench" >"$pf/etc/main.cf"
  # Kept running for every round (stopped by cleanup).
  if ! { postfix -c "$pf/etc" start 2>/dev/null && wait_port "$pf_port"; }; then
    echo "postfix: a private instance did not start (skipped)"
    pf_port=
  fi
fi
durable() {
  [ -n "${pf_port:-}" ] || return 0
  for size in $SIZES; do
    run postfix "$pf_port" "$size" sink@example.com rcpt@example.com
  done
}
durable

parley_run() { # mode
  local mode=$1
  data="$work/$mode-$round"
  smtp_port=$(free_port)
  http_port=$(free_port)
  if [ "$mode" = serve ]; then
    RUST_LOG=warn ./target/release/parley --data-dir "$data" serve --demo \
      --http "127.0.0.1:$http_port" --smtp "127.0.0.1:$smtp_port" >"$work/demo-$mode.txt" 2>"$work/$mode.log" &
  else
    ./target/release/parley --data-dir "$data" demo >"$work/demo-$mode.txt" 2>/dev/null
    RUST_LOG=warn ./target/release/parley --data-dir "$data" smtp \
      --smtp "127.0.0.1:$smtp_port" 2>"$work/$mode.log" &
  fi
  pid=$!
  pids+=("$pid")
  wait_port "$smtp_port"
  line=$(grep -m1 '^  swaks ' "$work/demo-$mode.txt")
  from=$(sed -E 's/.*--from ([^ ]+).*/\1/' <<<"$line")
  to=$(sed -E 's/.*--to ([^ ]+).*/\1/' <<<"$line")
  for size in $SIZES; do
    run "parley $mode" "$smtp_port" "$size" "$from" "$to"
  done
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  # Every 250 is a stored message: count the thread's emailed messages in the database
  # (read-only, once Parley has stopped).
  stored=$(python3 - "$data/parley.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
print(db.execute("SELECT COUNT(*) FROM messages WHERE email_raw IS NOT NULL").fetchone()[0])
PY
)
  sizes_count=$(wc -w <<<"$SIZES")
  echo "parley $mode: emailed messages stored with their original: $stored (sent: $((MESSAGES * sizes_count)))"
  grep -E 'ERROR|WARN' "$work/$mode.log" | head -5 || true
}

for round in $(seq 1 "$ROUNDS"); do
  if [ "$round" -gt 1 ]; then
    echo "round $round"
    sink
    durable
  fi
  for mode in $MODES; do parley_run "$mode"; done
done

# Each Parley run against the smtp-sink run and the durable Postfix run of its round.
python3 - "$work/results" <<'PY'
import collections, statistics, sys
refs, runs = collections.defaultdict(dict), collections.defaultdict(list)
for line in open(sys.argv[1]):
    round_, name, size, rate = line.split()
    if name in ('smtp-sink', 'postfix'):
        refs[name][(round_, size)] = float(rate)
    elif name.startswith('parley'):
        runs[(name.replace('_', ' '), size)].append((round_, float(rate)))
for (name, size), rates in runs.items():
    for ref, by_round in refs.items():
        ratios = [rate / by_round[(r, size)] for r, rate in rates if (r, size) in by_round]
        if ratios:
            each = ' / '.join(f'{x:.2f}' for x in ratios)
            print(f'{name:<14} {int(size) // 1024:>4} KB  {statistics.median(ratios):.2f}× {ref} '
                  f'(median of {len(ratios)}: {each})')
PY
