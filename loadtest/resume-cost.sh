#!/usr/bin/env bash
# What session resume costs (docs/cluster.md, "Resume: measured"). Node processes from target/switchboard.jar
# (--cluster, event bus over mutual TLS, test certificates), clients and timing in io.switchboard.bench.ResumeBench
# (test sources). Three measurements, each on a fresh cluster, then JOL's retained sizes:
#
#   1. kill: SIGKILL of the node holding a client, whose peers sit on two other nodes; the client reconnects with
#      its resume token to a survivor as soon as it sees the reset. Times to welcome resumed:true and to the peers'
#      next frames, p50/p99 over TRIES tries (the killed node is replaced between tries).
#   2. absorb: a node holding N sessions (rooms of 10, one peer per room on the other node) dies; all N resume on
#      the survivor at the same moment, at once and again after the loss was detected. Resumes per second, the
#      survivor's CPU per resume (/proc/PID/stat), its heap per lost session.
#   3. memory: live heap after a full GC (jcmd GC.class_histogram) with N sessions connected, in their grace period,
#      and in their grace period with ten ~1 KiB frames buffered each; per session.
#
# On a machine with 2+ cores the nodes run on core 0 and the driver on core 1 (taskset). About 9 minutes on 2 cores;
# each step is bounded by `timeout` (14 minutes at worst); every node PID is recorded and stopped on exit. Output and
# node logs go to loadtest/results/.
#
#   loadtest/resume-cost.sh        TRIES (20) SIZES (500,1000,2000) WARMUP (200) SESSIONS (2000) in the environment
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
tries="${TRIES:-20}"
sizes="${SIZES:-500,1000,2000}"
warmup="${WARMUP:-200}"
sessions="${SESSIONS:-2000}"
out="loadtest/results/resume-cost-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out/logs"
state="$(mktemp -d)"
: > "$state/pids"

cleanup() {
  while read -r pid; do
    if [ -n "$pid" ] && ps -p "$pid" -o args= 2>/dev/null | grep -q 'switchboard.jar'; then
      kill -9 "$pid" 2>/dev/null || true
    fi
  done < "$state/pids"
  rm -rf "$state"
}
trap cleanup EXIT

[ -f target/switchboard.jar ] || mvn -B -q -o -DskipTests package
mvn -B -q -o test-compile
mvn -B -q -o dependency:build-classpath -Dmdep.outputFile="$state/cp" -Dmdep.includeScope=test >/dev/null
cp="target/test-classes:target/classes:$(cat "$state/cp")"

driver=() nodes=""
if [ "$(nproc)" -ge 2 ]; then
  driver=(taskset -c 1)
  nodes="-Dbench.nodeCores=0"
fi
bench() { # seconds mode args... -> its output, also kept in $out
  local seconds="$1" started="$SECONDS"; shift
  timeout -k 30 "$seconds" "${driver[@]}" java -Xmx1g $nodes -Dbench.pids="$state/pids" -Dbench.logs="$out/logs" \
    -cp "$cp" io.switchboard.bench.ResumeBench "$@" | tee -a "$out/output.txt"
  echo "($1 took $((SECONDS - started)) s)" | tee -a "$out/output.txt"
}

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(java -version 2>&1 | head -1)" \
  | tee "$out/output.txt"
echo "nodes: ${nodes:-not pinned}; driver: ${driver[*]:-not pinned}" | tee -a "$out/output.txt"
bench 300 kill "$tries" 2
bench 360 absorb "$sizes" "$warmup"
bench 120 memory "$sessions"
timeout 60 java -Djdk.attach.allowAttachSelf=true -Djol.magicFieldOffset=true -cp "$cp" \
  io.switchboard.signaling.presence.GraceFootprint | grep '^footprint' | tee -a "$out/output.txt"
echo "results and node logs: $out (total $SECONDS s)"
