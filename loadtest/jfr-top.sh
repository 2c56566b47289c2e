#!/usr/bin/env bash
# Hot methods and allocation sites of a JFR recording (run.sh --jfr writes results/.../server.jfr).
# usage: loadtest/jfr-top.sh FILE.jfr [N]
#   self:      methods on top of the sampled stacks (where CPU time is spent)
#   inclusive: methods anywhere on the sampled stacks (what the time is spent under)
#   alloc:     top frames of allocation samples, weighted by sampled bytes
set -euo pipefail
file="$1"; n="${2:-25}"
samples() {
  jfr print --events "$1" --stack-depth 64 "$file" | awk -v ev="$1" '
    /^jdk\./ { inStack = 0; depth = 0; delete seen; weight = 1 }
    /weight = / { w = $3; gsub(/[^0-9.]/, "", w); unit = $4
      if (unit ~ /kB/) w *= 1024; else if (unit ~ /MB/) w *= 1048576; weight = w }
    /stackTrace = \[/ { inStack = 1; next }
    inStack && /^[ \t]*\]/ { inStack = 0; next }
    inStack {
      line = $0; sub(/^[ \t]+/, "", line); sub(/[ \t]+line:.*$/, "", line)
      if (line == "...") next
      if (depth == 0) self[line] += weight
      if (!(line in seen)) { incl[line] += weight; seen[line] = 1 }
      depth++; total += (depth == 1 ? weight : 0)
    }
    END {
      for (m in self) printf "self %.1f%% %s\n", 100 * self[m] / total, m
      for (m in incl) printf "incl %.1f%% %s\n", 100 * incl[m] / total, m
    }'
}
cpu="$(samples jdk.ExecutionSample)"
echo "== CPU, self (top of stack)"; echo "$cpu" | awk '$1 == "self"' | sort -k2 -t' ' -rn | head -"$n" | cut -d' ' -f2-
echo "== CPU, inclusive (io.switchboard and io.vertx frames)"
echo "$cpu" | awk '$1 == "incl" && ($3 ~ /^io\.switchboard/ || $3 ~ /^io\.vertx/)' | sort -k2 -t' ' -rn | head -"$n" | cut -d' ' -f2-
echo "== allocation, by sampled weight (top of stack)"
samples jdk.ObjectAllocationSample | awk '$1 == "self"' | sort -k2 -t' ' -rn | head -"$n" | cut -d' ' -f2-
