#!/usr/bin/env bash
# Kills the real server with SIGKILL at a random moment of a burst of writes, N times (100 by
# default), then checks that every acknowledged write is there, that SQLite's integrity check is
# clean and that the audit chain verifies. Usage: scripts/crash-loop.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
ANJIAN_CRASH_ROUNDS="${1:-100}" cargo test -p anjian --test it -- \
  binary::sigkill_during_writes_loses_no_acknowledged_write --exact --nocapture
