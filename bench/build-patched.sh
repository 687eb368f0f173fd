#!/usr/bin/env bash
# Builds HEAD with a patch from bench/patches (in a scratch worktree, so the checkout is left
# as it is) into target/NAME, and prints the binary's path. Used by relay-bound.sh and
# relay-probe.sh; scripts/test checks that every patch still applies.
#
#   bench/build-patched.sh bench/patches/storage-bound.patch bound
set -euo pipefail
cd "$(dirname "$0")/.."
patch="$1"; name="$2"
repo=$(pwd)
tree=$(mktemp -d)
trap 'git -C "$repo" worktree remove --force "$tree" 2>/dev/null || rm -rf "$tree"' EXIT
git worktree add --quiet --detach "$tree" HEAD
git -C "$tree" apply "$repo/$patch"
(cd "$tree" && cargo build --release --quiet -p parley --target-dir "$repo/target/$name") >&2
echo "$repo/target/$name/release/parley"
