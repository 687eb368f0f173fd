#!/usr/bin/env bash
# Builds HEAD with patches from bench/patches, applied in the order given (in a scratch
# worktree, so the checkout is left as it is), into target/NAME, and prints the binary's path.
# Used by relay-bound.sh and relay-probe.sh. With CHECK_ONLY=1 it only applies them (scripts/test
# checks so that every patch still applies).
#
#   bench/build-patched.sh bench/patches/end-of-data-probe.patch probe
#   bench/build-patched.sh bench/patches/end-of-data-probe.patch bench/patches/storage-bound.patch bound
set -euo pipefail
cd "$(dirname "$0")/.."
name="${*: -1}"; patches=("${@:1:$#-1}")
repo=$(pwd)
tree=$(mktemp -d)
trap 'git -C "$repo" worktree remove --force "$tree" 2>/dev/null || rm -rf "$tree"' EXIT
git worktree add --quiet --detach "$tree" HEAD
for patch in "${patches[@]}"; do git -C "$tree" apply "$repo/$patch"; done
[ "${CHECK_ONLY:-}" = 1 ] && exit 0
(cd "$tree" && cargo build --release --quiet -p parley --target-dir "$repo/target/$name") >&2
echo "$repo/target/$name/release/parley"
