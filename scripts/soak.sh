#!/usr/bin/env bash
# The full soak: 1,000 sign-in → refresh → /me → sign-out cycles in one process against the
# WordPress-dialect site (loopback) with a real Secret Service; prints the figures (time a cycle,
# open files, resident memory, keyring items, live tokens on the server) and fails when any does
# not come back to where it started. The test command runs the same test with 20 cycles.
# Usage: scripts/soak.sh [CYCLES]
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$repo"

need_build_deps
need_keyring_test_deps
say "soak: ${1:-1000} cycles"
WPCONNECT_SOAK_CYCLES=${1:-1000} tests/keyring/with-keyring.sh \
  cargo test --locked -p wpconnect-core --test soak -- --nocapture
