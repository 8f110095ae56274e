#!/usr/bin/env bash
# The bench in one command (see bench/README.md):
#   bench/run_bench.sh            full run: every case, 3 rounds, medians and same-round ratios
#   bench/run_bench.sh --quick    about a minute: fewer messages, 1 round
# It calls `cmake --build build` for its programs, starts a private mosquitto on a free loopback port,
# prints one table and writes bench/results/<timestamp>.json. More options: --help.
set -euo pipefail
exec python3 "$(dirname "$0")/run_bench.py" "$@"
