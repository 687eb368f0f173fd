#!/usr/bin/env bash
# How fast could the relay be with less of its storage? An upper bound, not a mode to run:
# builds HEAD with bench/patches/storage-bound.patch on top of end-of-data-probe.patch (in a
# scratch worktree, into target/bound) and measures, alternated ROUNDS times with bench/relay-cpu.sh:
#
#   durable         Parley as it is: spooled and synced before 250, folded into SQLite
#   no sync         the spool written but not synced (not durable)
#   no fold         spooled and synced, never folded into SQLite (nothing in the history)
#   neither         neither synced nor folded
#   no store        parsed, trimmed, checked and answered 250, nothing written
# and, as the reference, smtp-sink (accepts and discards). With the probe under it (see
# bench/relay-probe.sh), each variant also prints where its answer to the end of data waited.
#
#   bench/relay-bound.sh                 # 10 sessions, 10,000 × 5 KB, 2 rounds
#   ROUNDS=3 N=20000 bench/relay-bound.sh
set -euo pipefail
source "$(dirname "$0")/raised-limits.sh"
cd "$(dirname "$0")/.."
ROUNDS="${ROUNDS:-2}"
export N="${N:-10000}"
BIN=$(bench/build-patched.sh bench/patches/end-of-data-probe.patch \
  bench/patches/storage-bound.patch bound)
export BIN

# smtp-sink in each round: this machine's speed drifts within minutes, so ratios are taken
# against the sink of the same round.
sink() {
  local port start end
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  PATH="$PATH:/usr/sbin" smtp-sink -u nobody "127.0.0.1:$port" 1024 &
  local pid=$!
  for _ in $(seq 1 100); do (echo > "/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
  start=$(date +%s.%N)
  PATH="$PATH:/usr/sbin" smtp-source -s 10 -l 5120 -m "$N" "127.0.0.1:$port"
  end=$(date +%s.%N)
  kill "$pid"; wait "$pid" 2>/dev/null || true
  python3 -c "print(f'smtp-sink 5 KB: {$N/($end-$start):.0f} msg/s')"
}

variants=("durable:" "no sync:BOUND_NO_SYNC" "no fold:BOUND_NO_FOLD"
  "neither:BOUND_NO_SYNC BOUND_NO_FOLD" "no store:BOUND_NO_STORE")
for round in $(seq 1 "$ROUNDS"); do
  echo "round $round"
  printf '  %-14s %s\n' reference "$(sink)"
  for variant in "${variants[@]}"; do
    settings=()
    for name in ${variant#*:}; do settings+=("$name=1"); done
    out=$(env "${settings[@]}" bench/relay-cpu.sh)
    printf '  %-14s %s\n' "${variant%%:*}" "${out%%$'\n'*}"
    sed 1d <<<"$out" | sed 's/^ */                   /'
  done
done
