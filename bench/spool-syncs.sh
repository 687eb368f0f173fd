#!/usr/bin/env bash
# The relay's syncs under load, one by one: runs bench/relay-cpu.sh (10 sessions, 5 KB) and,
# a second into smtp-source's run, traces the Parley process's fdatasync, fsync and pwrite64
# calls with `perf trace` for TRACE seconds. Prints the spool's fdatasync durations (mean,
# percentiles), SQLite's fsyncs (the fold's commits and the checkpoints), the spool's syncs
# that overlapped one of SQLite's against the others, and the spool's slow writes (the zeros
# written ahead of a new segment's appends).
#
#   bench/spool-syncs.sh                       # parley smtp, 12,000 × 5 KB, 3 s traced
#   BIN=/tmp/other/parley TRACE=5 N=20000 bench/spool-syncs.sh
#
# Needs perf (Debian: linux-perf) and root, or kernel.perf_event_paranoid ≤ -1.
set -euo pipefail
source "$(dirname "$0")/raised-limits.sh"
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/sbin"
BIN="${BIN:-./target/release/parley}"; TRACE="${TRACE:-3}"
export BIN N="${N:-12000}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bench/relay-cpu.sh >"$work/run.txt" &
run=$!
for _ in $(seq 1 600); do pgrep -x smtp-source >/dev/null && break; sleep 0.1; done
sleep 1
pid=$(pgrep -n -f -- "$BIN --data-dir ")
timeout -s INT "$TRACE" perf trace -e fdatasync,fsync,pwrite64 -p "$pid" -o "$work/trace.txt" || true
wait "$run"
head -1 "$work/run.txt"
python3 - "$work/trace.txt" <<'PY'
import re, statistics, sys
calls = []  # (start ms, duration ms, thread, call): completed calls only
for line in open(sys.argv[1]):
    m = re.match(r'\s*([\d.]+) \(\s*([\d.]+) ms\): (\S+)/\d+\s+(?:\.\.\. \[continued\]: )?(\w+)\(', line)
    if m:
        calls.append((float(m[1]), float(m[2]), m[3], m[4]))
if not calls:
    sys.exit('no calls traced (perf trace needs root or perf_event_paranoid ≤ -1)')
span = max(t + d for t, d, _, _ in calls) - min(t for t, _, _, _ in calls)
spool = [(t, d) for t, d, who, call in calls if who.startswith('parley-spool') and call == 'fdatasync']
sqlite = [(t, d) for t, d, who, call in calls if who.startswith(('parley-sqlite', 'sqlx-sqlite')) and call == 'fsync']
slow_writes = [d for t, d, who, call in calls if who.startswith('parley-spool') and call == 'pwrite64' and d > 1]
def describe(ds):
    ds = sorted(ds)
    n = len(ds)
    return (f'{n} calls, mean {statistics.mean(ds) * 1000:.0f} µs, median {ds[n // 2] * 1000:.0f}, '
            f'90th percentile {ds[int(n * .9)] * 1000:.0f}, 99th {ds[int(n * .99)] * 1000:.0f}, '
            f'max {ds[-1] * 1000:.0f}')
print(f'traced {span:.0f} ms')
if spool:
    print('  the spool\'s fdatasync: ' + describe([d for _, d in spool]))
    top = sorted(d for _, d in spool)[int(len(spool) * .95):]
    print(f'    the slowest 5 % hold {sum(top) / sum(d for _, d in spool):.0%} of the spool\'s time in sync')
if sqlite:
    print(f'  SQLite\'s fsync: {len(sqlite)} calls, mean {statistics.mean(d for _, d in sqlite) * 1000:.0f} µs, '
          f'{sum(d for _, d in sqlite) / span:.0%} of the time')
    def overlaps(t, d):
        return any(t <= s + sd and s <= t + d for s, sd in sqlite)
    during = [d for t, d in spool if overlaps(t, d)]
    apart = [d for t, d in spool if not overlaps(t, d)]
    for label, ds in (('during one of SQLite\'s', during), ('apart from them', apart)):
        if ds:
            print(f'    spool syncs {label}: {len(ds)}, mean {statistics.mean(ds) * 1000:.0f} µs, '
                  f'median {statistics.median(ds) * 1000:.0f}')
print(f'  the spool\'s writes over 1 ms (zeros ahead of a new segment\'s appends): {len(slow_writes)}'
      + (f', {sum(slow_writes):.0f} ms' if slow_writes else ''))
PY
