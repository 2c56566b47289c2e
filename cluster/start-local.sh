#!/usr/bin/env bash
# Starts N Switchboard nodes on this machine as one Hazelcast cluster (loopback only), from the fat jar.
#
#   cluster/start-local.sh [N]        N defaults to 3
#
# Node i (1..N) gets HTTP port HTTP_BASE+i-1, Hazelcast port HAZELCAST_BASE+i-1, STUN/TURN port
# TURN_BASE+i-1 with its own slice of the relay-port range RELAY_MIN..RELAY_MAX, node id node-i, and
# logs to $STATE_DIR/node-i.log. All nodes share one random JWT and TURN secret, kept in $STATE_DIR/secret
# (mode 600), so a token minted for one node works on every node. The event bus between them runs over
# mutual TLS, as in production: cluster/make-certs.sh makes a throwaway CA and one certificate per node in
# $STATE_DIR/tls. PIDs go to $STATE_DIR/pids for cluster/stop-local.sh. Settings (environment): HTTP_BASE
# (8080), HAZELCAST_BASE (5701), TURN_BASE (3478), RELAY_MIN (61000), RELAY_MAX (65535), HEAP (256m),
# STATE_DIR (cluster/local), CLUSTER_NAME (switchboard-local), JAR (target/switchboard.jar). Any other
# SWITCHBOARD_* variable in the environment reaches every node; SWITCHBOARD_CLUSTER_INSECURE=true runs the
# event bus without TLS (for measuring what TLS costs; never across machines).
set -euo pipefail
cd "$(dirname "$0")/.."

count="${1:-3}"
if ! [[ "$count" =~ ^[1-9][0-9]?$ ]]; then
  echo "usage: $0 [N]   (1-99 nodes)" >&2
  exit 2
fi
http_base="${HTTP_BASE:-8080}"
hz_base="${HAZELCAST_BASE:-5701}"
turn_base="${TURN_BASE:-3478}"
relay_min="${RELAY_MIN:-61000}"
relay_max="${RELAY_MAX:-65535}"
heap="${HEAP:-256m}"
state="${STATE_DIR:-cluster/local}"
name="${CLUSTER_NAME:-switchboard-local}"
jar="${JAR:-target/switchboard.jar}"

if [ -s "$state/pids" ]; then
  echo "$state/pids exists: a local cluster may be running; stop it with cluster/stop-local.sh first" >&2
  exit 1
fi
if [ ! -f "$jar" ]; then
  echo "building $jar"
  mvn -q -DskipTests package
fi
mkdir -p "$state"
umask 077
if [ ! -s "$state/secret" ]; then
  head -c 48 /dev/urandom | base64 | tr -d '\n/+=' > "$state/secret"
fi
secret="$(cat "$state/secret")"

relay_slice=$(( (relay_max - relay_min + 1) / count ))
if [ "$relay_slice" -lt 2 ]; then
  echo "relay-port range $relay_min-$relay_max is too small for $count nodes" >&2
  exit 2
fi

members=""
for i in $(seq 1 "$count"); do
  members+="${members:+,}127.0.0.1:$((hz_base + i - 1))"
done

insecure="${SWITCHBOARD_CLUSTER_INSECURE:-false}"
if [ "$insecure" != true ]; then
  names=()
  for i in $(seq 1 "$count"); do names+=("node-$i"); done
  cluster/make-certs.sh "$state/tls" "${names[@]}" > /dev/null
fi

: > "$state/pids"
for i in $(seq 1 "$count"); do
  tls_cert="" tls_key="" tls_ca=""
  if [ "$insecure" != true ]; then
    tls_cert="$state/tls/node-$i.pem" tls_key="$state/tls/node-$i.key" tls_ca="$state/tls/ca.pem"
  fi
  SWITCHBOARD_NODE_ID="node-$i" \
  SWITCHBOARD_CLUSTER_TLS_CERT="$tls_cert" \
  SWITCHBOARD_CLUSTER_TLS_KEY="$tls_key" \
  SWITCHBOARD_CLUSTER_TLS_CA="$tls_ca" \
  SWITCHBOARD_HTTP_PORT="$((http_base + i - 1))" \
  SWITCHBOARD_AUTH_HS256_SECRETS="$secret" \
  SWITCHBOARD_ICE_TURN_SECRETS="$secret" \
  SWITCHBOARD_CLUSTER_NAME="$name" \
  SWITCHBOARD_CLUSTER_HOST="127.0.0.1" \
  SWITCHBOARD_CLUSTER_PORT="$((hz_base + i - 1))" \
  SWITCHBOARD_CLUSTER_MEMBERS="$members" \
  SWITCHBOARD_RELAY_PORT="$((turn_base + i - 1))" \
  SWITCHBOARD_RELAY_MIN_PORT="$((relay_min + (i - 1) * relay_slice))" \
  SWITCHBOARD_RELAY_MAX_PORT="$((relay_min + i * relay_slice - 1))" \
    nohup java "-Xmx$heap" -jar "$jar" --cluster > "$state/node-$i.log" 2>&1 < /dev/null &
  echo "$!" >> "$state/pids"
done

# wait until every node answers /health with 200 (60 s at most)
deadline=$((SECONDS + 60))
for i in $(seq 1 "$count"); do
  port=$((http_base + i - 1))
  until curl -sf "http://127.0.0.1:$port/health" > /dev/null 2>&1; do
    pid="$(sed -n "${i}p" "$state/pids")"
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "node-$i (pid $pid) exited; see $state/node-$i.log" >&2
      exit 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "node-$i did not become healthy within 60 s; see $state/node-$i.log" >&2
      exit 1
    fi
    sleep 0.2
  done
done

for i in $(seq 1 "$count"); do
  echo "node-$i http://127.0.0.1:$((http_base + i - 1))/ turn 127.0.0.1:$((turn_base + i - 1)) pid $(sed -n "${i}p" "$state/pids") log $state/node-$i.log"
done
if [ "$insecure" = true ]; then
  echo "WARNING: the event bus between these nodes has no TLS (SWITCHBOARD_CLUSTER_INSECURE=true)"
else
  echo "event bus over mutual TLS: CA and node certificates in $state/tls"
fi
echo "shared secret in $state/secret; stop with: cluster/stop-local.sh"
