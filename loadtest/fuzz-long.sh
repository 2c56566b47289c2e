#!/usr/bin/env bash
# Long fuzzing run of Switchboard's Jazzer targets (src/test/java/io/switchboard/fuzz; docs/security.md, "Fuzzing").
# `mvn verify` fuzzes each target for 8-15 s; this runs them for as long as you like and prints, per target:
# executions, seconds fuzzed, corpus size, and crashes found. Manual: CI never runs it.
#
# Usage: loadtest/fuzz-long.sh [DURATION] [TARGET...]
#   DURATION  per target, as Jazzer reads it (30s, 10m, 1h); default 8m
#   TARGET    fuzz test class names (StunDecoderFuzzTest ...); default all of them
# Environment:
#   FUZZ_FORKS   targets fuzzed at the same time, one JVM each (default 2: this machine has 2 cores)
#   MVN_ARGS     extra Maven arguments, e.g. -o
#
# The generated corpus stays in .cifuzz-corpus/ (ignored by git) and is reused by the next run. A finding stops
# that target: Jazzer saves the input as src/test/resources/io/switchboard/fuzz/<Target>Inputs/<method>/crash-* (or
# timeout-*), where the normal build then replays it; fix the bug, keep the file (rename it to say what it is).
# The full log is target/fuzz-long.log.
set -euo pipefail
cd "$(dirname "$0")/.."

duration=${1:-8m}
[ $# -gt 0 ] && shift
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(StunDecoderFuzzTest RelaySequenceFuzzTest FrameParserFuzzTest TokenFuzzTest ConfigFuzzTest)
fi
pattern=$(printf 'io.switchboard.fuzz.%s,' "${targets[@]}")
pattern=${pattern%,}
read -r -a mvn_args <<< "${MVN_ARGS:-}"

mvn -B "${mvn_args[@]}" -q test-compile
mkdir -p target
marker=target/fuzz-long.started
touch "$marker"
started=$SECONDS
echo "fuzzing ${targets[*]} for $duration each, ${FUZZ_FORKS:-2} at a time (log: target/fuzz-long.log)"
set +e
mvn -B "${mvn_args[@]}" surefire:test@fuzz -Dfuzz.targets="$pattern" -Djazzer.max_duration="$duration" \
  -Dfuzz.forks="${FUZZ_FORKS:-2}" > target/fuzz-long.log 2>&1
status=$?
set -e

total_runs=0
total_seconds=0
total_corpus=0
total_crashes=0
printf '\n| target | executions | time (s) | corpus (files) | crashes |\n|---|---:|---:|---:|---:|\n'
for target in "${targets[@]}"; do
  stats=$(grep -h 'FUZZ-STATS' "target/surefire-reports/io.switchboard.fuzz.$target-output.txt" 2>/dev/null | tail -1 || true)
  runs=$(sed -n 's/.* executions=\([0-9]*\).*/\1/p' <<< "$stats")
  seconds=$(sed -n 's/.* seconds=\([0-9.]*\).*/\1/p' <<< "$stats")
  method=$(sed -n 's/.*target=[A-Za-z]*\.\([A-Za-z]*\) .*/\1/p' <<< "$stats")
  corpus=0
  if [ -n "$method" ] && [ -d ".cifuzz-corpus/io.switchboard.fuzz.$target/$method" ]; then
    corpus=$(find ".cifuzz-corpus/io.switchboard.fuzz.$target/$method" -type f | wc -l)
  fi
  seeds=$(find "src/test/resources/io/switchboard/fuzz/${target}Inputs" -type f ! -newer "$marker" 2>/dev/null | wc -l)
  crashes=$(find "src/test/resources/io/switchboard/fuzz/${target}Inputs" -type f -newer "$marker" \
    \( -name 'crash-*' -o -name 'timeout-*' -o -name 'slow-unit-*' -o -name 'oom-*' \) 2>/dev/null | wc -l)
  printf '| %s | %s | %s | %s (+%s seeds) | %s |\n' "$target" "${runs:-?}" "${seconds:-?}" "$corpus" "$seeds" "$crashes"
  total_runs=$((total_runs + ${runs:-0}))
  total_seconds=$(awk -v a="$total_seconds" -v b="${seconds:-0}" 'BEGIN { printf "%.1f", a + b }')
  total_corpus=$((total_corpus + corpus))
  total_crashes=$((total_crashes + crashes))
done
printf '| **total** | %s | %s | %s | %s |\n\n' "$total_runs" "$total_seconds" "$total_corpus" "$total_crashes"
echo "wall time: $((SECONDS - started)) s; Maven exit status $status"
if [ "$total_crashes" -gt 0 ] || [ "$status" -ne 0 ]; then
  grep -E 'FuzzTestFinding|<<< (FAILURE|ERROR)' target/fuzz-long.log | head -20 || true
  find src/test/resources/io/switchboard/fuzz -type f -newer "$marker" \
    \( -name 'crash-*' -o -name 'timeout-*' -o -name 'slow-unit-*' -o -name 'oom-*' \) || true
fi
exit "$status"
