#!/usr/bin/env bash
# Where the relay's answer to the end of data waits: builds HEAD with
# bench/patches/end-of-data-probe.patch (timers around the spool's steps, printed every 5,000
# messages; never shipped) into target/probe and runs bench/relay-cpu.sh with it ROUNDS times:
#
#   end of data  the SMTP session's wait, from the last byte of data to the store's answer
#     = before the append   parse, trim, language, access check, the repeat check
#     + queued              in the spool's queue until its thread takes the group
#     + encoded             the group's frames built (its time, counted for each message)
#     + written, synced     the group's write and fdatasync
#     + back in the session the answer's way back to the task (a wake-up on a busy machine)
#
#   bench/relay-probe.sh                          # parley smtp, 10 sessions, 20,000 × 5 KB
#   ROUNDS=3 MODE=serve bench/relay-probe.sh
set -euo pipefail
source "$(dirname "$0")/raised-limits.sh"
cd "$(dirname "$0")/.."
ROUNDS="${ROUNDS:-2}"
export N="${N:-20000}"
BIN=$(bench/build-patched.sh bench/patches/end-of-data-probe.patch probe)
export BIN
for round in $(seq 1 "$ROUNDS"); do
  echo "round $round"
  bench/relay-cpu.sh | sed 's/^/  /'
done
