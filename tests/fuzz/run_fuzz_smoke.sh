#!/usr/bin/env bash
# Build the MQTT decoder fuzz target with clang's libFuzzer (+ ASan + UBSan) into a work folder in the
# build tree, and run it for a short time from the seed corpus. Used by the ctest "fuzz: decoder smoke".
#
#   run_fuzz_smoke.sh <source root> <work dir> [seconds=20]
#
# Exit 77 (ctest: skipped) only when no clang++ is installed.
set -euo pipefail
src=$1
work=$2
seconds=${3:-20}

cxx=$(command -v clang++-14 || command -v clang++ || true)
if [ -z "$cxx" ]; then
  echo "fuzz: SKIPPED: clang++ not found (Debian package clang-14 provides libFuzzer)"
  exit 77
fi

sources=("$src"/luat_mqtt/{transport,validate,byte_queue,encode,decode,event,outgoing_store,session}.cpp
         "$src"/tests/fuzz/fuzz_decoder.cpp)
bin=$work/fuzz_decoder
mkdir -p "$work/corpus"

# Rebuild only when a source or header changed.
if [ ! -x "$bin" ] || [ -n "$(find "$src/luat_mqtt" "$src/tests/fuzz" -newer "$bin" -name '*.[ch]pp' -print -quit)" ]; then
  echo "fuzz: building $bin with $cxx"
  "$cxx" -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -I "$src" "${sources[@]}" -o "$bin.tmp"
  mv "$bin.tmp" "$bin"
fi

# The working corpus grows in the build tree; the seeds in the source tree stay as they are.
cp -n "$src"/tests/fuzz/corpus/* "$work/corpus/"
echo "fuzz: running for ${seconds}s"
"$bin" -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$work/" "$work/corpus"
