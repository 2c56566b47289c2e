#!/usr/bin/env bash
# What TLS on the HTTP port costs a node (docs/performance.md, "HTTPS and wss: what TLS costs"): the node's CPU per
# WebSocket connect over ws and over wss, side by side in one run, and per relayed frame.
#
# A throwaway CA and a certificate for 127.0.0.1 (cluster/make-certs.sh, in a temporary folder), then two node
# processes from target/switchboard.jar with the same settings (single node, relay off, limits raised, access log on
# as by default), one with http.tls: both on core 0 (`taskset -c 0`). The driver, io.switchboard.bench.
# ConnectCostBench (test sources), runs on core 1 (`taskset -c 1`) and, in alternating rounds, opens CONNECTS
# connections (TCP, TLS, upgrade with a JWT, join, `welcome` received; a room per connection) CONCURRENCY at a time
# to ws, wss (TLS 1.3, full handshake), wss with TLS 1.2 (full) and wss resumed (TLS 1.3 session ticket), reading
# the node's utime+stime from /proc/PID/stat before and after each round. WARMUPS rounds of every kind come first
# (JIT). Then 300 connects one at a time (latency alone) and FRAMES ~200-byte messages between 10 pairs, over ws
# then wss, twice.
#
# About 4 minutes on 2 cores with the defaults. Bounded by `timeout`; both node PIDs are recorded and stopped on
# exit. Ports 20000-29999. Output, node logs: loadtest/results/wss-cost-*/. The nodes listen on 127.0.0.1 only; each
# full-handshake connection gets a client (TLS context, session cache) of its own, so nothing is resumed.
#
#   loadtest/wss-cost.sh      CONNECTS (3000) WARMUPS (2) ROUNDS (3) CONCURRENCY (8) FRAMES (100000) in the environment
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
connects="${CONNECTS:-3000}"
warmups="${WARMUPS:-2}"
rounds="${ROUNDS:-3}"
concurrency="${CONCURRENCY:-8}"
frames="${FRAMES:-100000}"
out="loadtest/results/wss-cost-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"
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

CERT_IPS=127.0.0.1 cluster/make-certs.sh "$state/certs" localhost >/dev/null
secret="$(openssl rand -hex 32)"

node=() driver=()
if [ "$(nproc)" -ge 2 ]; then
  node=(taskset -c 0)
  driver=(taskset -c 1)
fi

free_port() { # a TCP port in 20000-29999 nobody listens on
  local port
  while :; do
    port=$((20000 + RANDOM % 10000))
    ss -Htln "sport = :$port" | grep -q . || { echo "$port"; return; }
  done
}

start_node() { # name port [extra env...] -> its PID in $state/pids and $state/NAME.pid
  local name="$1" port="$2"; shift 2
  env SWITCHBOARD_HTTP_PORT="$port" SWITCHBOARD_HTTP_HOST=127.0.0.1 SWITCHBOARD_NODE_ID="bench-$name" \
    SWITCHBOARD_AUTH_HS256_SECRETS="$secret" SWITCHBOARD_RELAY_ENABLED=false \
    SWITCHBOARD_HTTP_MAX_CONNECTIONS_PER_ADDRESS=0 SWITCHBOARD_HTTP_UPGRADES_PER_SECOND_PER_ADDRESS=0 \
    SWITCHBOARD_LIMITS_RATE_FRAMES_PER_SECOND=1000000 SWITCHBOARD_LIMITS_RATE_BURST=1000000 \
    SWITCHBOARD_LIMITS_RATE_BYTES_PER_SECOND=100000000 SWITCHBOARD_LIMITS_RATE_BYTES_BURST=100000000 "$@" \
    "${node[@]}" java -Xmx1g -jar target/switchboard.jar > "$out/node-$name.log" 2>&1 &
  echo $! >> "$state/pids"
  echo $! > "$state/$name.pid"
  disown $!
}

await_health() { # scheme port
  for _ in $(seq 1 150); do
    if curl -fsk --max-time 2 "$1://127.0.0.1:$2/health" >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.2
  done
  echo "node on $1://127.0.0.1:$2 not healthy within 30 s; see $out" >&2
  exit 1
}

ws_port="$(free_port)"
wss_port="$(free_port)"
while [ "$wss_port" = "$ws_port" ]; do wss_port="$(free_port)"; done
start_node ws "$ws_port"
start_node wss "$wss_port" SWITCHBOARD_HTTP_TLS_CERT="$state/certs/localhost.pem" \
  SWITCHBOARD_HTTP_TLS_KEY="$state/certs/localhost.key"
await_health http "$ws_port"
await_health https "$wss_port"

{
  echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(java -version 2>&1 | head -1)"
  echo "nodes: ${node[*]:-not pinned}; driver: ${driver[*]:-not pinned}"
  echo "CONNECTS=$connects WARMUPS=$warmups ROUNDS=$rounds CONCURRENCY=$concurrency FRAMES=$frames"
} | tee "$out/output.txt"
timeout -k 30 420 "${driver[@]}" java -Xmx1g -Dbench.secret="$secret" -cp "$cp" io.switchboard.bench.ConnectCostBench \
  "$ws_port" "$(cat "$state/ws.pid")" "$wss_port" "$(cat "$state/wss.pid")" "$state/certs/ca.pem" \
  "$connects" "$warmups" "$rounds" "$concurrency" "$frames" | tee -a "$out/output.txt"
grep -hE 'WARNING|SEVERE' "$out"/node-*.log | sed -E 's/[0-9]+/N/g' | sort | uniq -c | sort -rn | head -5 \
  | sed 's/^/node logs: /' | tee -a "$out/output.txt" || true
echo "results and node logs: $out (total $SECONDS s)"
