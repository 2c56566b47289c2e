#!/usr/bin/env bash
# What the cluster-wide TURN quota costs an Allocate. A two-node local cluster (cluster/start-local.sh, event bus
# over TLS) runs twice, back to back: relay.maxAllocationsPerUserInCluster on, then off (0). Each time,
# io.switchboard.bench.AllocateBench (test sources) makes COUNT sequential authenticated Allocates against node 1's
# relay, each from a fresh client port and deleted again, and reads both nodes' process CPU from /metrics.
# Prints p50/p99 Allocate latency (the 401 round trip included) and CPU per allocation, and the ratio.
#
#   loadtest/turn-quota-cost.sh        COUNT (default 2000, after a warm-up of the same size)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
count="${COUNT:-2000}"
state="$(mktemp -d)"
[ -f target/switchboard.jar ] && [ -d target/test-classes/io/switchboard/bench ] || mvn -B -q -DskipTests package
mvn -B -q -o dependency:build-classpath -Dmdep.outputFile="$state/cp" -Dmdep.includeScope=test >/dev/null
cp="target/test-classes:target/classes:$(cat "$state/cp")"
cleanup() { STATE_DIR="$state" cluster/stop-local.sh >/dev/null 2>&1 || true; rm -rf "$state"; }
trap cleanup EXIT

run() { # cluster quota -> the bench's line
  STATE_DIR="$state" HTTP_BASE=21480 HAZELCAST_BASE=21701 TURN_BASE=21478 RELAY_MIN=26000 RELAY_MAX=27999 \
    CLUSTER_NAME="quota-cost-$$" SWITCHBOARD_RELAY_MAX_ALLOCATIONS_PER_USER=100000 \
    SWITCHBOARD_RELAY_MAX_ALLOCATIONS=100000 SWITCHBOARD_RELAY_MAX_ALLOCATIONS_PER_USER_IN_CLUSTER="$1" \
    SWITCHBOARD_RELAY_UNAUTHORIZED_PER_SECOND=100000 SWITCHBOARD_RELAY_UNAUTHORIZED_BURST=1000000 \
    cluster/start-local.sh 2 >/dev/null
  local secret; secret="$(cat "$state/secret")"
  java -cp "$cp" io.switchboard.bench.AllocateBench 21478 "$secret" "$count" 21480,21481 >/dev/null # warm-up
  java -cp "$cp" io.switchboard.bench.AllocateBench 21478 "$secret" "$count" 21480,21481
  STATE_DIR="$state" cluster/stop-local.sh >/dev/null
  rm -f "$state/pids"
}

# not in $(...): a subshell would not stop the cluster (the EXIT trap) if the bench failed
run 1000000 >"$state/on"
run 0 >"$state/off"
on="$(cat "$state/on")"; off="$(cat "$state/off")"
echo "cluster quota on:  $on"
echo "cluster quota off: $off"
cpu() { echo "$1" | tr ' ' '\n' | awk -F= '$1 == "cpu_us_per_allocation" {print $2}'; }
awk -v a="$(cpu "$on")" -v b="$(cpu "$off")" 'BEGIN {printf "CPU per allocation on/off: %.2fx (%+.1f us)\n", a / b, a - b}'
