#!/usr/bin/env bash
# TURN over TCP and over TLS (RFC 8656 section 3.1), coturn against Switchboard's built-in relay, in one run on this
# machine: turnutils_uclient -t (TCP) and -t -S (TLS) with channels, relayed over UDP to turnutils_peer, paced
# (-z > 0) and at saturation (-z 0). Each server runs alone on core 0, the tools on core 1 (taskset). Per run: the
# server's CPU time from /proc/PID/stat divided by the messages it relayed (sent + echoed back), and the loss the
# tool reports. Before each transport's measured runs, WARMUPS paced runs of the measured size and one saturation
# run warm the server up (the JVM's JIT needs about three paced runs: without them a paced run measured 40-90 us per
# message instead of 16-20).
# coturn runs as `turnserver -n` (its config file and system service are never used) with its own TCP and TLS
# listeners and a certificate made here.
#
# usage: loadtest/turn-stream-compare.sh
# Sizes (environment): SESSIONS=10 LEN=170 PACED_MSGS=1000 PACED_MS=5 SATURATION_MSGS=5000 WARMUPS=3
#   SERVER_CORE=0 TOOL_CORE=1
# Prints one line per measured run and writes everything under loadtest/results/turn-stream-<time>/.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
SESSIONS="${SESSIONS:-10}"; LEN="${LEN:-170}"; PACED_MSGS="${PACED_MSGS:-1000}"; PACED_MS="${PACED_MS:-5}"
SATURATION_MSGS="${SATURATION_MSGS:-5000}"; WARMUPS="${WARMUPS:-3}"; SERVER_CORE="${SERVER_CORE:-0}"; TOOL_CORE="${TOOL_CORE:-1}"

for tool in turnserver turnutils_uclient turnutils_peer openssl taskset curl java; do
  command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install coturn util-linux openssl curl)" >&2; exit 2; }
done
jar="$root/target/switchboard.jar"
[ -f "$jar" ] || { echo "build the jar first: mvn -o -q -DskipTests package" >&2; exit 2; }

out="$here/results/turn-stream-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"
secret="$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')"
# ports below Linux's ephemeral range (32768-60999)
peer_port=21600; coturn_tcp=21678; coturn_tls=21679; sb_tcp=21680; sb_tls=21681; sb_udp=21682; sb_http=21683

# a certificate for both servers, EC P-256, PKCS#8 key (what relay.tls.key requires)
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=localhost \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" -keyout "$out/turn.key" -out "$out/turn.pem" 2>/dev/null

pids=()
stop_all() { for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true; done; pids=(); }
trap stop_all EXIT

taskset -c "$TOOL_CORE" turnutils_peer -L 127.0.0.1 -p "$peer_port" >"$out/peer.log" 2>&1 &
pids+=($!)

cpu_ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }

# bench LABEL PID PORT SECURE(0/1) MSGS INTERVAL_MS: one uclient run; prints its summary line
bench() {
  local label="$1" pid="$2" port="$3" secure="$4" msgs="$5" interval="$6" log="$out/$1.log" status=0
  local user pass t0 t1 s0 s1 flags=(-t)
  [ "$secure" = 1 ] && flags+=(-S)
  user="$(( $(date +%s) + 3600 )):bench-$label"
  pass="$(printf %s "$user" | openssl dgst -sha1 -hmac "$secret" -binary | base64)"
  t0="$(cpu_ticks "$pid")"; s0="$(date +%s%3N)"
  timeout 300 taskset -c "$TOOL_CORE" turnutils_uclient "${flags[@]}" -u "$user" -w "$pass" -e 127.0.0.1 \
    -r "$peer_port" -m "$SESSIONS" -n "$msgs" -l "$LEN" -z "$interval" -c -p "$port" 127.0.0.1 >"$log" 2>&1 \
    || status=$?
  t1="$(cpu_ticks "$pid")"; s1="$(date +%s%3N)"
  local sent recv lost
  sent="$(grep -oE 'tot_send_msgs=[0-9]+' "$log" | tail -1 | cut -d= -f2 || true)"; sent="${sent:-0}"
  recv="$(grep -oE 'tot_recv_msgs=[0-9]+' "$log" | tail -1 | cut -d= -f2 || true)"; recv="${recv:-0}"
  lost="$(grep -oE 'Total lost packets [0-9]+ \([0-9.]+%\)' "$log" | tail -1 | sed -E 's/Total lost packets //; s/ /_/' \
    || true)"
  awk -v l="$label" -v s="$sent" -v r="$recv" -v lost="${lost:-n/a}" -v ms=$(( s1 - s0 )) -v st="$status" \
      -v ticks=$(( t1 - t0 )) -v hz="$(getconf CLK_TCK)" -v load="$(cut -d' ' -f1 /proc/loadavg)" \
      -v cfg="m=$SESSIONS,n=$msgs,l=$LEN,z=$interval" 'BEGIN {
    relayed = s + r
    printf "%s setting=%s sent=%d received=%d lost=%s relayed_msgs/s=%.0f server_cpu_us_per_relayed_msg=%s server_cpu_s=%.2f load=%s exit=%s\n",
      l, cfg, s, r, lost, relayed / (ms / 1000), (relayed > 0 ? sprintf("%.1f", ticks * 1e6 / hz / relayed) : "n/a"),
      ticks / hz, load, st }'
}

# server_runs NAME PID TCP_PORT TLS_PORT: for each transport, the warm-ups, then the measured runs; the same for
# both servers
server_runs() {
  local name="$1" pid="$2" tcp="$3" tls="$4" i
  for transport in tcp tls; do
    local port="$tcp" secure=0
    [ "$transport" = tls ] && { port="$tls"; secure=1; }
    for i in $(seq 1 "$WARMUPS"); do
      bench "$name-$transport-paced-warmup$i" "$pid" "$port" "$secure" "$PACED_MSGS" "$PACED_MS" >>"$out/warmups.txt"
    done
    bench "$name-$transport-saturation-warmup" "$pid" "$port" "$secure" "$SATURATION_MSGS" 0 >>"$out/warmups.txt"
    bench "$name-$transport-paced" "$pid" "$port" "$secure" "$PACED_MSGS" "$PACED_MS"
    bench "$name-$transport-saturation" "$pid" "$port" "$secure" "$SATURATION_MSGS" 0
  done
}

echo "---- TURN over TCP/TLS: $SESSIONS sessions, $LEN B, paced $PACED_MSGS msgs every $PACED_MS ms, saturation" \
  "$SATURATION_MSGS msgs at -z 0; servers on core $SERVER_CORE, tools on core $TOOL_CORE ----"
taskset -c "$SERVER_CORE" turnserver -n --listening-ip=127.0.0.1 --listening-port="$coturn_tcp" \
  --tls-listening-port="$coturn_tls" --cert="$out/turn.pem" --pkey="$out/turn.key" --relay-ip=127.0.0.1 \
  --min-port=24000 --max-port=24999 --use-auth-secret --static-auth-secret="$secret" --realm=loadtest \
  --allow-loopback-peers --no-dtls --no-cli --log-file="$out/coturn.log" --simple-log --no-stdout-log \
  >/dev/null 2>&1 &
coturn_pid=$!; pids+=($coturn_pid)
sleep 1
server_runs coturn "$coturn_pid" "$coturn_tcp" "$coturn_tls" | tee -a "$out/lines.txt"
kill -TERM "$coturn_pid"; wait "$coturn_pid" 2>/dev/null || true

SWITCHBOARD_HTTP_PORT="$sb_http" SWITCHBOARD_HTTP_HOST=127.0.0.1 SWITCHBOARD_AUTH_DEV_TOKENS=false \
SWITCHBOARD_AUTH_HS256_SECRETS="$secret" SWITCHBOARD_ICE_TURN_SECRETS="$secret" \
SWITCHBOARD_RELAY_ENABLED=true SWITCHBOARD_RELAY_HOST=127.0.0.1 SWITCHBOARD_RELAY_PORT="$sb_udp" \
SWITCHBOARD_RELAY_REALM=loadtest SWITCHBOARD_RELAY_ALLOWED_PEERS=127.0.0.0/8 \
SWITCHBOARD_RELAY_MIN_PORT=25000 SWITCHBOARD_RELAY_MAX_PORT=25999 \
SWITCHBOARD_RELAY_MAX_ALLOCATIONS_PER_USER=100000 SWITCHBOARD_RELAY_MAX_ALLOCATIONS=100000 \
SWITCHBOARD_RELAY_TCP_ENABLED=true SWITCHBOARD_RELAY_TCP_PORT="$sb_tcp" \
SWITCHBOARD_RELAY_TLS_ENABLED=true SWITCHBOARD_RELAY_TLS_PORT="$sb_tls" \
SWITCHBOARD_RELAY_TLS_CERT="$out/turn.pem" SWITCHBOARD_RELAY_TLS_KEY="$out/turn.key" \
  taskset -c "$SERVER_CORE" java -Xmx1g -jar "$jar" >"$out/switchboard.log" 2>&1 &
sb_pid=$!; pids+=($sb_pid)
for _ in $(seq 1 300); do curl -fs -o /dev/null "http://127.0.0.1:$sb_http/health" && break; sleep 0.1; done
curl -fs -o /dev/null "http://127.0.0.1:$sb_http/health" || { echo "Switchboard did not start: $out/switchboard.log" >&2; exit 1; }
server_runs switchboard "$sb_pid" "$sb_tcp" "$sb_tls" | tee -a "$out/lines.txt"
curl -fs "http://127.0.0.1:$sb_http/metrics" | grep -E '^switchboard_turn_(stream|dropped)' | grep -v ' 0.0$' \
  >"$out/switchboard-metrics.txt" || true
echo "(all runs: $out)"
