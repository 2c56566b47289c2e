#!/usr/bin/env bash
# Stops the nodes cluster/start-local.sh started, and only those: each PID from $STATE_DIR/pids is signalled
# only while its command line is still a Switchboard node. SIGTERM first (graceful drain), SIGKILL after 20 s.
set -euo pipefail
cd "$(dirname "$0")/.."
state="${STATE_DIR:-cluster/local}"

if [ ! -f "$state/pids" ]; then
  echo "no $state/pids: nothing to stop"
  exit 0
fi

ours() {
  tr "\\0" " " 2>/dev/null < "/proc/$1/cmdline" | grep -q -- "switchboard.jar --cluster"
}

pids=()
while read -r pid; do
  if [ -n "$pid" ] && ours "$pid"; then
    kill -TERM "$pid"
    pids+=("$pid")
  fi
done < "$state/pids"

deadline=$((SECONDS + 20))
for pid in "${pids[@]}"; do
  while ours "$pid"; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "pid $pid did not stop within 20 s: killing it"
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.2
  done
done
rm -f "$state/pids"
echo "stopped ${#pids[@]} node(s)"
