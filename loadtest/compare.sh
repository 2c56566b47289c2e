#!/usr/bin/env bash
# The same workloads, back to back in one run on this machine, against PeerJS server and against Switchboard,
# then the TURN relay benchmark against coturn and against Switchboard's built-in relay, then frames between
# two clustered nodes with and without event-bus TLS. Prints every run's summary line and the ratios
# (Switchboard / other; TLS / no TLS). Exits 1 when any run failed its own verdict (a simulation's assertions; a
# relay run, warm-ups included, that did not get back every message it sent) or a part could not run at all.
#
# usage: loadtest/compare.sh [--quick] [--skip-signaling] [--skip-relay] [--skip-cluster]
#   --quick   small sizes (a smoke run: seconds, not minutes)
# Sizes (environment): SESSIONS="10000 19000" PAIRS=1000 RATES=1000,2000,4000,8000,12000,16000 STEP_SECONDS=10
#   BURST=10000 BURST_RATE=2000 (a connect storm offered faster than either server opens sessions, server on core 0
#   and load generator on core 1), run twice: after the usual short warm-up (1,000 connects), and on a warm server
#   that has served WARM_SESSIONS=10000 connects first (a node that has been up; JIT compilation no longer billed)
#   RELAY_SESSIONS=10 RELAY_MSGS=1000 RELAY_LEN=200 RELAY_INTERVAL_MS=5 (turnutils_uclient -m -n -l -z: paced, where
#   every message must come back) and SAT_SESSIONS=10 SAT_MSGS=20000 SAT_LEN=100 SAT_INTERVAL_MS=0 (saturation:
#   loss allowed, compared with coturn's in the same run)
#   CLUSTER_PAIRS=100 CLUSTER_RATES=1000,2000,4000 (cross-node frames/s; one step each of STEP_SECONDS)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "${LOADTEST_SERVER_ROOT:-$here/..}" && pwd)"

quick=0; signaling=1; relay=1; cluster=1
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --skip-signaling) signaling=0 ;;
    --skip-relay) relay=0 ;;
    --skip-cluster) cluster=0 ;;
    *) sed -n '2,16p' "$0"; exit 2 ;;
  esac
  shift
done
if [ "$quick" = 1 ]; then
  SESSIONS="${SESSIONS:-300}"; PAIRS="${PAIRS:-50}"; RATES="${RATES:-500,1000}"; STEP_SECONDS="${STEP_SECONDS:-3}"
  RELAY_MSGS="${RELAY_MSGS:-200}"; SAT_MSGS="${SAT_MSGS:-1000}"; BURST="${BURST:-600}"; BURST_RATE="${BURST_RATE:-300}"
  WARM_SESSIONS="${WARM_SESSIONS:-600}"
  warm=(--no-warmup)
else
  warm=()
fi
# 19,000, not 20,000: where this runs, a process may not hold more than 20,000 descriptors (hard RLIMIT_NOFILE,
# not raisable without CAP_SYS_RESOURCE), and the server and the load generator each need a few hundred more
# than their sockets. run.sh warns when the limit is below what a run needs.
SESSIONS="${SESSIONS:-10000 19000}"; PAIRS="${PAIRS:-1000}"
RATES="${RATES:-1000,2000,4000,8000,12000,16000}"; STEP_SECONDS="${STEP_SECONDS:-10}"
RELAY_SESSIONS="${RELAY_SESSIONS:-10}"; RELAY_MSGS="${RELAY_MSGS:-1000}"; RELAY_LEN="${RELAY_LEN:-200}"
RELAY_INTERVAL_MS="${RELAY_INTERVAL_MS:-5}"
SAT_SESSIONS="${SAT_SESSIONS:-10}"; SAT_MSGS="${SAT_MSGS:-20000}"; SAT_LEN="${SAT_LEN:-100}"
SAT_INTERVAL_MS="${SAT_INTERVAL_MS:-0}"
BURST="${BURST:-10000}"; BURST_RATE="${BURST_RATE:-2000}"; WARM_SESSIONS="${WARM_SESSIONS:-10000}"
CLUSTER_PAIRS="${CLUSTER_PAIRS:-100}"; CLUSTER_RATES="${CLUSTER_RATES:-1000,2000,4000}"

out="$here/results/compare-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"
lines="$out/lines.txt"; : >"$lines"
failed=0
field() { echo "$1" | tr ' ' '\n' | awk -F= -v k="$2" '$1 == k {print $2; exit}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (a == "" || b == "" || b + 0 == 0) print "n/a"; else printf "%.2f", a / b}'; }

run() { # label, run.sh args...
  local label="$1"; shift
  echo "== $label: run.sh $*" >&2
  if "$here/run.sh" "$@" --results "$out/$label" "${warm[@]}" >"$out/$label.txt" 2>"$out/$label.err"; then :; else
    echo "   FAILED (see $out/$label.err and $out/$label/gatling.log)" >&2; failed=1
  fi
  cat "$out/$label.txt" >&2
  sed "s/^/$label /" "$out/$label.txt" >>"$lines"
}
get() { grep "^$1 " "$lines" | grep -v 'best_rate' | tail -1 | cut -d' ' -f2-; }

if [ "$signaling" = 1 ]; then
  for n in $SESSIONS; do
    # at most 500 connects/s: on 2 shared cores faster storms end in connect timeouts on both servers
    rate=$(( n / 10 > 500 ? 500 : (n / 10 < 100 ? 100 : n / 10) ))
    for t in peerjs switchboard; do
      run "storm$n-$t" ConnectStorm --target "$t" -Dsessions="$n" -Drate="$rate" -DholdSeconds=20
    done
  done
  for t in peerjs switchboard; do
    run "burst-$t" ConnectStorm --target "$t" --pin -Dsessions="$BURST" -Drate="$BURST_RATE" -DholdSeconds=5
  done
  for t in peerjs switchboard; do
    run "burstwarm-$t" ConnectStorm --target "$t" --pin --warmup-sessions "$WARM_SESSIONS" -Dsessions="$BURST" \
      -Drate="$BURST_RATE" -DholdSeconds=5
  done
  for t in peerjs switchboard; do
    run "calls-$t" CallSetup --target "$t" -Dpairs="$PAIRS" -DrampSeconds=1
  done
  for t in peerjs switchboard; do
    run "relay-$t" SteadyRelayStepped --target "$t" -Dpairs=100 -Drates="$RATES" -DstepSeconds="$STEP_SECONDS"
  done

  echo
  echo "---- Switchboard / PeerJS server (same run, same machine) ----"
  for n in $SESSIONS; do
    p="$(get "storm$n-peerjs")"; s="$(get "storm$n-switchboard")"
    echo "sessions=$n rss_kb_per_session: switchboard=$(field "$s" rss_kb_per_session) peerjs=$(field "$p" rss_kb_per_session) ratio=$(ratio "$(field "$s" rss_kb_per_session)" "$(field "$p" rss_kb_per_session)") (target <= 0.5)"
    echo "sessions=$n heap_kb_per_session: switchboard=$(field "$s" heap_kb_per_session) peerjs=$(field "$p" heap_kb_per_session) ratio=$(ratio "$(field "$s" heap_kb_per_session)" "$(field "$p" heap_kb_per_session)")"
    echo "sessions=$n rss_mb: switchboard=$(field "$s" rss_mb) (target < 1024) peerjs=$(field "$p" rss_mb)"
    echo "sessions=$n cpu_us_per_connect: switchboard=$(field "$s" cpu_us_per_connect) peerjs=$(field "$p" cpu_us_per_connect) ratio=$(ratio "$(field "$s" cpu_us_per_connect)" "$(field "$p" cpu_us_per_connect)") (target <= 0.5)"
  done
  p="$(get burst-peerjs)"; s="$(get burst-switchboard)"
  echo "connect storm $BURST offered at $BURST_RATE/s, pinned: connects/s: switchboard=$(field "$s" connects_per_s) peerjs=$(field "$p" connects_per_s) ratio=$(ratio "$(field "$s" connects_per_s)" "$(field "$p" connects_per_s)") (target >= 2 with p99 < 200 ms)" \
    "p99_ms: switchboard=$(field "$s" p99_ms) peerjs=$(field "$p" p99_ms) p50_ms: switchboard=$(field "$s" p50_ms) peerjs=$(field "$p" p50_ms)" \
    "cpu_us_per_connect: switchboard=$(field "$s" cpu_us_per_connect) peerjs=$(field "$p" cpu_us_per_connect) ratio=$(ratio "$(field "$s" cpu_us_per_connect)" "$(field "$p" cpu_us_per_connect)") (target <= 0.5)"
  p="$(get burstwarm-peerjs)"; s="$(get burstwarm-switchboard)"
  echo "the same storm on warm servers ($WARM_SESSIONS connects served first): connects/s: switchboard=$(field "$s" connects_per_s) peerjs=$(field "$p" connects_per_s) ratio=$(ratio "$(field "$s" connects_per_s)" "$(field "$p" connects_per_s)")" \
    "p99_ms: switchboard=$(field "$s" p99_ms) peerjs=$(field "$p" p99_ms)" \
    "cpu_us_per_connect: switchboard=$(field "$s" cpu_us_per_connect) peerjs=$(field "$p" cpu_us_per_connect) ratio=$(ratio "$(field "$s" cpu_us_per_connect)" "$(field "$p" cpu_us_per_connect)")" \
    "rss_kb_per_session (growth over the warm server's): switchboard=$(field "$s" rss_kb_per_session) peerjs=$(field "$p" rss_kb_per_session) ratio=$(ratio "$(field "$s" rss_kb_per_session)" "$(field "$p" rss_kb_per_session)")"
  p="$(get calls-peerjs)"; s="$(get calls-switchboard)"
  echo "CallSetup pairs=$PAIRS setups/s: switchboard=$(field "$s" setups/s) peerjs=$(field "$p" setups/s) ratio=$(ratio "$(field "$s" setups/s)" "$(field "$p" setups/s)") (target >= 2)"
  echo "CallSetup cpu_us_per_frame: switchboard=$(field "$s" cpu_us_per_frame) peerjs=$(field "$p" cpu_us_per_frame) ratio=$(ratio "$(field "$s" cpu_us_per_frame)" "$(field "$p" cpu_us_per_frame)") (target <= 0.2)"
  bp="$(grep '^relay-peerjs .*best_rate' "$lines" | grep -oE 'best_rate[^ ]*=[0-9]+' | cut -d= -f2 || true)"
  bs="$(grep '^relay-switchboard .*best_rate' "$lines" | grep -oE 'best_rate[^ ]*=[0-9]+' | cut -d= -f2 || true)"
  echo "SteadyRelay best rate with p99 < 20 ms: switchboard=${bs:-n/a}/s peerjs=${bp:-n/a}/s ratio=$(ratio "$bs" "$bp") (target >= 3)"
  for rate in ${RATES//,/ }; do
    p="$(grep "^relay-peerjs .*rate=$rate\]" "$lines" | tail -1 | cut -d' ' -f2-)"
    s="$(grep "^relay-switchboard .*rate=$rate\]" "$lines" | tail -1 | cut -d' ' -f2-)"
    echo "SteadyRelay rate=$rate/s cpu_us_per_frame: switchboard=$(field "$s" cpu_us_per_frame) peerjs=$(field "$p" cpu_us_per_frame) ratio=$(ratio "$(field "$s" cpu_us_per_frame)" "$(field "$p" cpu_us_per_frame)") (target <= 0.2)" \
      "p99_ms: switchboard=$(field "$s" p99_ms) peerjs=$(field "$p" p99_ms)"
  done
fi

# ---- TURN relay: coturn vs Switchboard's built-in relay, both driven by turnutils_uclient + turnutils_peer ----
relay_pids=()
stop_relay() { for pid in "${relay_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${relay_pids[@]}"; do for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done; kill -KILL "$pid" 2>/dev/null || true; done
  relay_pids=(); }
trap stop_relay EXIT

# relay_bench LABEL SERVER_PID TURN_PORT: one uclient run; prints a summary line ending in its verdict and fails
# unless uclient exited 0, sent every message (RELAY_SESSIONS x RELAY_MSGS) and got every one back. Each run uses
# its own REST user name (expiry:loadtest-LABEL). Neither server has a per-user allocation quota here (coturn's
# default; Switchboard's relay.maxAllocationsPerUser raised for the test), as the warm-ups' allocations are still alive.
relay_bench() {
  local label="$1" pid="$2" port="$3" user pass t0 t1 s0 s1 status=0 log="$out/$1-uclient.log"
  local m="$bench_m" n="$bench_n" l="$bench_l" z="$bench_z"
  user="$(( $(date +%s) + 3600 )):loadtest-$label"
  pass="$(printf %s "$user" | openssl dgst -sha1 -hmac "$secret" -binary | base64)"
  t0="$(sed 's/^.*) //' "/proc/$pid/stat" | awk '{print $12 + $13}')"; s0="$(date +%s%3N)"
  timeout 300 turnutils_uclient -u "$user" -w "$pass" -e 127.0.0.1 -r "$peer_port" -m "$m" \
    -n "$n" -l "$l" -z "$z" -c 127.0.0.1 -p "$port" >"$log" 2>&1 || status=$?
  t1="$(sed 's/^.*) //' "/proc/$pid/stat" | awk '{print $12 + $13}')"; s1="$(date +%s%3N)"
  local sent recv lost expected=$(( m * n )) verdict=ok
  # the last totals uclient prints are those of the whole run ("start_mclient: tot_send_msgs=S, tot_recv_msgs=R")
  sent="$(grep -oE 'tot_send_msgs=[0-9]+' "$log" | tail -1 | cut -d= -f2 || true)"; sent="${sent:-0}"
  recv="$(grep -oE 'tot_recv_msgs=[0-9]+' "$log" | tail -1 | cut -d= -f2 || true)"; recv="${recv:-0}"
  lost="$(grep -oE 'Total lost packets [0-9]+ \([0-9.]+%\)' "$log" | tail -1 | sed -E 's/Total lost packets //; s/ /_/' || true)"
  if [ "$status" != 0 ]; then
    verdict="FAILED(uclient_exit_$status)"
    grep -m1 -E 'error [0-9]+|ERROR|refused' "$log" | sed "s/^/$label: /" >&2 || true
  elif [ "$sent" != "$expected" ]; then verdict="FAILED(sent_${sent}_of_$expected)"
  elif [ "$recv" != "$sent" ] && [ "$bench_all_back" = 1 ]; then verdict="FAILED(received_${recv}_of_$sent)"
  fi
  # every message goes client -> relay -> peer and back peer -> relay -> client: two relayed messages
  awk -v l="$label" -v s="$sent" -v r="$recv" -v lost="${lost:-n/a}" -v ms=$(( s1 - s0 )) -v verdict="$verdict" \
      -v ticks=$(( t1 - t0 )) -v hz="$(getconf CLK_TCK)" -v load="$(cut -d' ' -f1 /proc/loadavg)" \
      -v cfg="m=$m,n=$n,l=$l,z=$z" 'BEGIN {
    relayed = s + r
    printf "relay=%s setting=%s sent=%d received=%d lost=%s relayed_pkts/s=%.0f cpu_us_per_relayed_msg=%s cpu_s=%.2f load=%s verdict=%s\n",
      l, cfg, s, r, lost, relayed / (ms / 1000), (relayed > 0 ? sprintf("%.2f", ticks * 1e6 / hz / relayed) : "n/a"), ticks / hz, load, verdict }'
  [ "$verdict" = ok ]
}

# relay_server LABEL SERVER_PID TURN_PORT: the same runs against either server: two warm-ups of the measured size
# (their lines on stderr), then the measured run (its line on stdout). Without warm-ups Switchboard's JIT
# compilers burn more CPU during the measured run than its event loop (seen: 90 us/message instead of 14); coturn
# gets the same runs, so both are measured in the same state. Fails when any of the three runs failed its verdict.
relay_server() {
  local label="$1" pid="$2" port="$3" ok=0
  relay_bench "$label-warmup1" "$pid" "$port" >&2 || ok=1
  relay_bench "$label-warmup2" "$pid" "$port" >&2 || ok=1
  relay_bench "$label" "$pid" "$port" || ok=1
  return "$ok"
}

# relay_section: coturn, then Switchboard's relay, each judged by its own runs; fails (never skips) when a tool,
# the relay in the jar, or a server is missing.
# relay_section M N L Z ALL_BACK: one uclient setting; ALL_BACK=1 fails a run that lost any message (the paced
# setting), 0 lets it lose and compares the loss with coturn's (saturation).
relay_section() {
  local ok=0 c s jar
  bench_m="$1"; bench_n="$2"; bench_l="$3"; bench_z="$4"; bench_all_back="$5"
  echo
  echo "---- TURN relay: $1 sessions x $2 messages of $3 B every $4 ms ----"
  if ! command -v turnserver >/dev/null || ! command -v turnutils_uclient >/dev/null; then
    echo "installing coturn (its system service is not started: we run turnserver -n ourselves)" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq --no-install-recommends coturn >/dev/null || true
  fi
  if ! command -v turnserver >/dev/null || ! command -v turnutils_uclient >/dev/null; then
    echo "relay: FAILED: coturn (turnserver, turnutils_uclient) is not installed and could not be" >&2
    return 1
  fi
  secret="$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')"
  peer_port=21400; coturn_port=21478; sb_turn_port=21479
  turnutils_peer -L 127.0.0.1 -p "$peer_port" >"$out/turn-peer.log" 2>&1 &
  relay_pids+=($!)
  turnserver -n --listening-ip=127.0.0.1 --listening-port="$coturn_port" --relay-ip=127.0.0.1 \
    --min-port=24000 --max-port=24999 --use-auth-secret --static-auth-secret="$secret" --realm=loadtest \
    --allow-loopback-peers --no-tls --no-dtls --no-cli --log-file="$out/coturn.log" --simple-log --no-stdout-log \
    >/dev/null 2>&1 &
  coturn_pid=$!; relay_pids+=($coturn_pid)
  sleep 1
  c="$(relay_server coturn "$coturn_pid" "$coturn_port")" || ok=1
  echo "$c"
  kill -TERM "$coturn_pid"; wait "$coturn_pid" 2>/dev/null || true

  jar="$root/target/switchboard.jar"
  [ -f "$jar" ] || (cd "$root" && mvn -B -q -DskipTests package) || true
  # the jar's listing goes to a file first: piped into grep -q, pipefail would turn grep's early exit into "no relay"
  jar tf "$jar" >"$out/jar-listing.txt" || true
  if ! grep -q '^io/switchboard/relay/' "$out/jar-listing.txt"; then
    echo "relay: FAILED: $jar is missing or has no built-in TURN relay (no io/switchboard/relay classes)" >&2
    return 1
  fi
  # Keys of the built-in relay (issue 4): UDP on 127.0.0.1:$sb_turn_port, TURN REST credentials from
  # ice.turnSecrets, loopback peers allowed for this test only, relay ports outside the ephemeral range.
  SWITCHBOARD_HTTP_PORT=21081 SWITCHBOARD_HTTP_HOST=127.0.0.1 SWITCHBOARD_AUTH_DEV_TOKENS=false \
  SWITCHBOARD_AUTH_HS256_SECRETS="$secret" SWITCHBOARD_ICE_TURN_SECRETS="$secret" \
  SWITCHBOARD_RELAY_ENABLED=true SWITCHBOARD_RELAY_HOST=127.0.0.1 SWITCHBOARD_RELAY_PORT="$sb_turn_port" \
  SWITCHBOARD_RELAY_REALM=loadtest SWITCHBOARD_RELAY_ALLOWED_PEERS=127.0.0.0/8 \
  SWITCHBOARD_RELAY_MIN_PORT=25000 SWITCHBOARD_RELAY_MAX_PORT=25999 \
  SWITCHBOARD_RELAY_MAX_ALLOCATIONS_PER_USER=100000 SWITCHBOARD_RELAY_MAX_ALLOCATIONS=100000 \
    java -Xmx1g -jar "$jar" >"$out/switchboard-relay.log" 2>&1 &
  sb_pid=$!; relay_pids+=($sb_pid)
  local healthy=0
  for _ in $(seq 1 300); do curl -fs -o /dev/null http://127.0.0.1:21081/health && { healthy=1; break; }; sleep 0.1; done
  if [ "$healthy" = 0 ]; then
    echo "relay: FAILED: Switchboard did not answer /health within 30 s (see $out/switchboard-relay.log)" >&2
    return 1
  fi
  s="$(relay_server switchboard "$sb_pid" "$sb_turn_port")" || ok=1
  echo "$s"
  kill -TERM "$sb_pid"; wait "$sb_pid" 2>/dev/null || true
  echo "relay packets/s ratio switchboard/coturn=$(ratio "$(field "$s" relayed_pkts/s)" "$(field "$c" relayed_pkts/s)")" \
    "cpu per relayed message ratio=$(ratio "$(field "$s" cpu_us_per_relayed_msg)" "$(field "$c" cpu_us_per_relayed_msg)") (target <= 1.0)" \
    "loss: switchboard=$(field "$s" lost) coturn=$(field "$c" lost)" \
    "$([ "$bench_all_back" = 1 ] && echo "(each run must get back all it sent)" || echo "(target: no more than coturn's)")"
  [ "$ok" = 0 ] || echo "relay: FAILED: see each run's verdict= above" >&2
  return "$ok"
}

if [ "$relay" = 1 ]; then
  relay_section "$RELAY_SESSIONS" "$RELAY_MSGS" "$RELAY_LEN" "$RELAY_INTERVAL_MS" 1 || failed=1
  stop_relay
  relay_section "$SAT_SESSIONS" "$SAT_MSGS" "$SAT_LEN" "$SAT_INTERVAL_MS" 0 || failed=1
  stop_relay
fi
# ---- cluster: frames between two nodes, event bus over mutual TLS (the default) and without (insecure) ----
if [ "$cluster" = 1 ]; then
  echo
  echo "---- cross-node frames, $CLUSTER_PAIRS pairs, partners on different nodes, both nodes on core 0 and the load"
  echo "     generator on core 1: event bus with TLS vs without ----"
  for mode in tls insecure; do
    insecure=false; [ "$mode" = insecure ] && insecure=true
    SWITCHBOARD_CLUSTER_INSECURE="$insecure" run "cluster-$mode" SteadyRelayStepped --nodes 2 --pin -Dspread=cross \
      -Dpairs="$CLUSTER_PAIRS" -Drates="$CLUSTER_RATES" -DstepSeconds="$STEP_SECONDS" -DboundMs=250
  done
  for rate in ${CLUSTER_RATES//,/ }; do
    t="$(grep "^cluster-tls .*rate=$rate\]" "$lines" | tail -1 | cut -d' ' -f2-)"
    i="$(grep "^cluster-insecure .*rate=$rate\]" "$lines" | tail -1 | cut -d' ' -f2-)"
    echo "rate=$rate/s p50_ms: tls=$(field "$t" p50_ms) insecure=$(field "$i" p50_ms)" \
      "p99_ms: tls=$(field "$t" p99_ms) insecure=$(field "$i" p99_ms)" \
      "cpu_us_per_frame: tls=$(field "$t" cpu_us_per_frame) insecure=$(field "$i" cpu_us_per_frame)" \
      "ratio=$(ratio "$(field "$t" cpu_us_per_frame)" "$(field "$i" cpu_us_per_frame)")" \
      "lost: tls=$(field "$t" lost) insecure=$(field "$i" lost)"
  done
fi
echo "(all runs: $out)"
exit "$failed"
