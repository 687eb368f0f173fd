#!/usr/bin/env bash
# CPU per relayed message: starts Parley on fresh demo data, sends with Postfix's smtp-source,
# and reads the process's CPU time (utime + stime, /proc/PID/stat) before and after. Compare
# two builds by alternating them in one sitting (this machine's speed varies run to run).
# Also prints the CPU by thread (Tokio's workers, the SQLite writer, …) and smtp-source's own:
#
#   bench/relay-cpu.sh                                   # parley smtp, 6,000 × 5 KB
#   MODE=serve SIZE=102400 N=2000 bench/relay-cpu.sh     # serve --demo, 100 KB
#   BIN=/tmp/old/target/release/parley bench/relay-cpu.sh
#   MODE=serve bench/relay-cpu.sh   # also: where the end of data waits, from /metrics (the
#                               # relay's intake: replies per sync, time syncing, time the
#                               # sessions waited; the folds into SQLite)
#   WAL=1 bench/relay-cpu.sh    # also: WAL frames per message and per commit, by B-tree
#                               # (the process is killed before it checkpoints; keep N small
#                               # enough that the WAL stays under wal_autocheckpoint)
set -euo pipefail
source "$(dirname "$0")/raised-limits.sh"
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/sbin"
BIN="${BIN:-./target/release/parley}"; MODE="${MODE:-smtp}"; N="${N:-6000}"; SIZE="${SIZE:-5120}"
[ -n "${WAL:-}" ] && N="${N_WAL:-1000}"
work=$(mktemp -d)
trap 'kill "${pid:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
port=$(free_port); http=$(free_port)
if [ "$MODE" = serve ]; then
  RUST_LOG=warn "$BIN" --data-dir "$work" serve --demo --http "127.0.0.1:$http" \
    --smtp "127.0.0.1:$port" >"$work/demo.txt" 2>"$work/log" &
else
  "$BIN" --data-dir "$work" demo >"$work/demo.txt" 2>/dev/null
  RUST_LOG=warn "$BIN" --data-dir "$work" smtp --smtp "127.0.0.1:$port" 2>"$work/log" &
fi
pid=$!
for _ in $(seq 1 600); do (echo > "/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
line=$(grep -m1 '^  swaks ' "$work/demo.txt")
from=$(sed -E 's/.*--from ([^ ]+).*/\1/' <<<"$line"); to=$(sed -E 's/.*--to ([^ ]+).*/\1/' <<<"$line")
cpu() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
# CPU ticks by thread name (Tokio's workers, the SQLite writer, sqlx's threads), summed.
threads() { for t in /proc/"$pid"/task/*; do echo "$(tr ' ' _ <"$t/comm") $(awk '{print $14 + $15}' "$t/stat")"; done; }
metrics() { curl -s "http://127.0.0.1:$http/metrics" || true; }
[ "$MODE" = serve ] && metrics >"$work/metrics.before"
threads >"$work/threads.before"
before=$(cpu); start=$(date +%s.%N)
/usr/bin/time -o "$work/source.time" -f '%U %S' \
  smtp-source -s 10 -l "$SIZE" -m "$N" -f "$from" -t "$to" "127.0.0.1:$port"
end=$(date +%s.%N); after=$(cpu)
threads >"$work/threads.after"
[ "$MODE" = serve ] && metrics >"$work/metrics.after"
ticks=$(getconf CLK_TCK)
python3 -c "n=$N; d=$end-$start; print(f'$MODE $((SIZE / 1024)) KB: {n/d:.0f} msg/s, {($after-$before)/$ticks*1e6/n:.0f} µs of CPU per message')"
python3 - "$work" "$N" "$ticks" <<'PY'
import collections, sys
work, n, ticks = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def load(name):
    total = collections.Counter()
    for line in open(f'{work}/{name}'):
        thread, value = line.split()
        total[thread] += int(value)
    return total
before, after = load('threads.before'), load('threads.after')
spent = {t: (after[t] - before[t]) / ticks * 1e6 / n for t in after}
print('  by thread: ' + ', '.join(f'{t} {v:.0f} µs' for t, v in sorted(spent.items(), key=lambda x: -x[1]) if v >= 1))
user, system = map(float, open(f'{work}/source.time').read().split())
print(f'  smtp-source itself: {(user + system) * 1e6 / n:.0f} µs per message')
PY
if [ "$MODE" = serve ]; then
  python3 - "$work" "$N" <<'PY'
import sys
work, n = sys.argv[1], int(sys.argv[2])
def load(name):
    values = {}
    for line in open(f'{work}/{name}'):
        if line and not line.startswith('#'):
            key, _, value = line.rpartition(' ')
            values[key] = float(value)
    return values
before, after = load('metrics.before'), load('metrics.after')
d = lambda key: after.get(key, 0) - before.get(key, 0)
messages, syncs = d('parley_relay_intake_messages_total'), d('parley_relay_intake_syncs_total')
folds, folded = d('parley_store_batches_total{path="fold"}'), d('parley_store_batch_units_total{path="fold"}')
fold_seconds = d('parley_store_batch_seconds_total{path="fold"}')
unfolded = after.get('parley_relay_unfolded_messages', 0)
if messages:
    print(f'  end of data: waited {d("parley_relay_intake_wait_seconds_total") / messages * 1e6:.0f} µs for durability; '
          f'{messages / max(syncs, 1):.1f} replies per sync, {d("parley_relay_intake_sync_seconds_total") / max(syncs, 1) * 1e6:.0f} µs per write + sync')
    print(f'  folds: {folds:.0f} of {folded / max(folds, 1):.0f} replies, '
          f'{fold_seconds / max(folded, 1) * 1e6:.0f} µs per reply; {unfolded:.0f} not folded at the end')
PY
fi
if [ -n "${WAL:-}" ]; then
  kill -9 "$pid"; wait "$pid" 2>/dev/null || true
  python3 - "$work/parley.db" "$N" <<'PY'
import collections, struct, subprocess, sys
db, n = sys.argv[1], int(sys.argv[2])
wal = open(db + '-wal', 'rb').read()
size = struct.unpack('>I', wal[8:12])[0]
offset, commits, current = 32, [], []
while offset + 24 + size <= len(wal):
    page, db_pages = struct.unpack('>II', wal[offset:offset + 8])
    current.append(page)
    if db_pages:  # a commit frame
        commits.append(current)
        current = []
    offset += 24 + size
rows = subprocess.run(['sqlite3', db, 'SELECT pageno, name FROM dbstat'],
                      capture_output=True, text=True, check=True).stdout
names = {int(r.split('|')[0]): r.split('|')[1] for r in rows.splitlines()}
frames = sum(map(len, commits))
print(f'WAL: {frames / n:.2f} frames per message, {n / len(commits):.2f} messages per commit')
by_tree = collections.Counter(names.get(p, '?') for c in commits for p in c)
print('per commit: ' + ', '.join(f'{k} {v / len(commits):.2f}' for k, v in by_tree.most_common()))
PY
fi
