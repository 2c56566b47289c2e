#!/usr/bin/env bash
# One load-test run: start the server(s) on loopback, run one Gatling simulation against them, sample the
# servers' CPU time and RSS from /proc, stop what was started (by PID), print one summary line per run:
#   scenario=… target=… sessions=… frames/s=… p50_ms=… p99_ms=… cpu_us_per_frame=… rss_mb=… load=…
#
# usage: loadtest/run.sh SCENARIO [options] [-Dprop=value ...]
#   SCENARIO   ConnectStorm | CallSetup | SteadyRelay | SteadyRelayStepped | Broadcast
#              | ClusterCallSetup | ClusterSteadyRelay
#   --target switchboard|peerjs   server under load (default switchboard; PeerJS: no Broadcast, no cluster)
#   --nodes N          Switchboard nodes (default 1; Cluster* default 3). With N > 1 and cluster/start-local.sh
#                      present, the nodes are a real cluster; without it they are N independent nodes (only
#                      -Dspread=colocated makes sense then) and a warning says so.
#   --heap SIZE        server heap, -Xmx (default 1g); PeerJS: --max-old-space-size of the same size
#   --gatling-heap SIZE  load generator heap (default 2g)
#   --no-warmup        skip the warm-up run (by default a short run of the same simulation goes first, against
#                      the same server, so JIT compilation is not billed to the measured run)
#   --warmup-sessions N  ConnectStorm's warm-up size (default 1000 at 500/s): a larger one measures a warm
#                      server (a node that has served connects before the storm), against either target
#   --warmup-rate R    ConnectStorm's warm-up connects per second (default 500); at the storm's own rate the
#                      warm-up takes the same paths (queues, batching) as the storm, so their compilation is done
#   --jfr              record a JFR profile of the (first) Switchboard node into the results folder
#   --nmt              Switchboard: native memory tracking; what the JVM's memory is made of (heap, code, compiler,
#                      threads...) at the memory baseline and at the plateau, in native-memory-{base,plateau}.txt
#   --jvm-opt OPT      one more JVM option for the Switchboard node(s), repeatable (for example a profiler's
#                      -agentpath)
#   --pin              pin the server(s) to core 0 and the load generator to core 1 (taskset), for stable runs
#                      on two cores; server CPU per frame stays the primary figure
#   --results DIR      where logs, samples and the summary go (default loadtest/results/TIME-SCENARIO-TARGET)
#   -Dname=value       passed to the simulation (see each simulation's javadoc: sessions, pairs, rate, ...)
# Exit status: the simulation's (non-zero when an assertion failed), 2 on a usage or start-up error.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
# the server checkout whose jar and cluster scripts are used (default: the one this loadtest/ sits in)
root="$(cd "${LOADTEST_SERVER_ROOT:-$here/..}" && pwd)"

usage() { sed -n '2,30p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
[ $# -ge 1 ] || usage
scenario="$1"; shift
case "$scenario" in
  ConnectStorm|CallSetup|SteadyRelay|SteadyRelayStepped|Broadcast|ClusterCallSetup|ClusterSteadyRelay) ;;
  -h|--help) usage ;;
  *) echo "run.sh: unknown scenario $scenario" >&2; usage ;;
esac

target=switchboard; nodes=""; heap=1g; gheap=2g; jfr=0; results=""; props=(); warmup=1; pin=0
warmup_sessions=1000; warmup_rate=500; jvm_opts=(); nmt=0
while [ $# -gt 0 ]; do
  case "$1" in
    --target) target="$2"; shift 2 ;;
    --nodes) nodes="$2"; shift 2 ;;
    --heap) heap="$2"; shift 2 ;;
    --gatling-heap) gheap="$2"; shift 2 ;;
    --jfr) jfr=1; shift ;;
    --jvm-opt) jvm_opts+=("$2"); shift 2 ;;
    --nmt) nmt=1; jvm_opts+=(-XX:NativeMemoryTracking=summary); shift ;;
    --warmup-sessions) warmup_sessions="$2"; shift 2 ;;
    --warmup-rate) warmup_rate="$2"; shift 2 ;;
    --pin) pin=1; shift ;;
    --no-warmup) warmup=0; shift ;;
    --results) results="$2"; shift 2 ;;
    -D*) props+=("$1"); shift ;;
    *) echo "run.sh: unknown option $1" >&2; usage ;;
  esac
done
case "$scenario" in Cluster*) nodes="${nodes:-3}" ;; *) nodes="${nodes:-1}" ;; esac
if [ "$target" = peerjs ] && { [ "$nodes" != 1 ] || [ "$scenario" = Broadcast ]; }; then
  echo "run.sh: PeerJS server has no rooms, roles or clustering: $scenario runs against switchboard only" >&2
  exit 2
fi

results="${results:-$here/results/$(date +%Y%m%d-%H%M%S)-$scenario-$target}"
mkdir -p "$results/marks"
# 20,000 sessions need 20,000 descriptors on each side
ulimit -n 1048576 2>/dev/null || ulimit -n "$(ulimit -Hn)"
for p in "${props[@]}"; do
  case "$p" in -Dsessions=*|-Dviewers=*)
    want="${p#*=}"
    [ "$(ulimit -n)" != unlimited ] && [ "$want" -gt $(( $(ulimit -n) - 500 )) ] && \
      echo "run.sh: WARNING: $want sessions but only $(ulimit -n) descriptors per process here (hard limit $(ulimit -Hn)); connections beyond ~$(( $(ulimit -n) - 500 )) will fail with 'Too many open files'" >&2 ;;
  esac
done

base_port="${LOADTEST_BASE_PORT:-21080}"   # outside the ephemeral range 32768-60999
peerjs_port="${LOADTEST_PEERJS_PORT:-21090}"
secret="$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')"   # hex: never trips the placeholder check
started_pids=()
sampler_pid=""
cluster_started=0

stop_all() {
  if [ -n "$sampler_pid" ]; then
    kill "$sampler_pid" 2>/dev/null || true
    wait "$sampler_pid" 2>/dev/null || true
    sampler_pid=""
  fi
  if [ "$cluster_started" = 1 ]; then
    STATE_DIR="$results/cluster-state" "$root/cluster/stop-local.sh" >>"$results/cluster.log" 2>&1 || true
    cluster_started=0
  fi
  for pid in "${started_pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${started_pids[@]}"; do
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  started_pids=()
}
trap stop_all EXIT

wait_http() { # url, seconds
  for _ in $(seq 1 $(( $2 * 10 ))); do
    curl -fs -o /dev/null "$1" && return 0
    sleep 0.1
  done
  echo "run.sh: $1 did not answer within $2 s" >&2
  return 1
}

# ---- the server(s) ----
server_pids=()
node_urls=()
export SWITCHBOARD_AUTH_HS256_SECRETS="$secret"
export SWITCHBOARD_AUTH_DEV_TOKENS=false
export SWITCHBOARD_LIMITS_RATE_FRAMES_PER_SECOND=1000000
export SWITCHBOARD_LIMITS_RATE_BURST=1000000
export SWITCHBOARD_LIMITS_RATE_BYTES_PER_SECOND=2147483647
export SWITCHBOARD_LIMITS_RATE_BYTES_BURST=2147483647
export SWITCHBOARD_LIMITS_MAX_PARTICIPANTS_PER_ROOM=100000
export SWITCHBOARD_LIMITS_MAX_QUEUED_BYTES=16777216
export SWITCHBOARD_RELAY_ENABLED=false   # signaling runs need no TURN port (ignored by a jar without the relay)

if [ "$target" = switchboard ]; then
  jar="$root/target/switchboard.jar"
  if [ ! -f "$jar" ]; then
    echo "building $jar"
    (cd "$root" && mvn -B -q -DskipTests package) >"$results/build.log" 2>&1
  fi
  jvm=(-Xmx"$heap" "${jvm_opts[@]}")
  if [ "$nodes" -gt 1 ] && [ -x "$root/cluster/start-local.sh" ]; then
    # cluster/start-local.sh starts the nodes (its contract: prints "node-i http://127.0.0.1:PORT/ pid PID ...",
    # keeps PIDs and the shared secret in $STATE_DIR). Own ports, state folder and cluster name, so another
    # local cluster on this machine is neither joined nor stopped.
    state="$results/cluster-state"
    STATE_DIR="$state" HTTP_BASE="$base_port" HAZELCAST_BASE="${LOADTEST_HAZELCAST_BASE:-21701}" HEAP="$heap" \
      CLUSTER_NAME="loadtest-$$" JAR="$jar" "$root/cluster/start-local.sh" "$nodes" >"$results/cluster.log" 2>&1 \
      || { echo "run.sh: cluster/start-local.sh failed:" >&2; cat "$results/cluster.log" >&2; exit 2; }
    cluster_started=1
    [ -s "$state/secret" ] && secret="$(cat "$state/secret")"
    while read -r port pid; do
      node_urls+=("ws://127.0.0.1:$port"); server_pids+=("$pid")
    done < <(sed -nE 's#^node-[0-9]+ https?://127\.0\.0\.1:([0-9]+)/?( turn [^ ]+)? pid ([0-9]+).*#\1 \3#p' "$results/cluster.log")
    [ "${#node_urls[@]}" -ge "$nodes" ] || { echo "run.sh: cluster/start-local.sh printed ${#node_urls[@]} nodes, expected $nodes" >&2; cat "$results/cluster.log" >&2; exit 2; }
  else
    [ "$nodes" -gt 1 ] && echo "run.sh: WARNING: cluster/start-local.sh not found: starting $nodes INDEPENDENT nodes (not a cluster); only -Dspread=colocated can pass" >&2
    for i in $(seq 0 $(( nodes - 1 ))); do
      port=$(( base_port + i ))
      extra=()
      [ "$jfr" = 1 ] && [ "$i" = 0 ] && extra=(-XX:StartFlightRecording=filename="$results/server.jfr",settings=profile,dumponexit=true)
      SWITCHBOARD_HTTP_PORT="$port" SWITCHBOARD_HTTP_HOST=127.0.0.1 SWITCHBOARD_NODE_ID="load-$i" \
        java "${jvm[@]}" "${extra[@]}" -jar "$jar" >"$results/node-$i.log" 2>&1 &
      started_pids+=($!); server_pids+=($!)
      node_urls+=("ws://127.0.0.1:$port")
    done
    for url in "${node_urls[@]}"; do wait_http "http://127.0.0.1:${url##*:}/health" 60; done
  fi
else
  [ -d "$here/node_modules/peer" ] || (cd "$here" && npm install --no-audit --no-fund >"$results/npm.log" 2>&1)
  node --expose-gc --max-old-space-size="$(numfmt --from=iec "${heap^^}" | awk '{print int($1/1048576)}')" \
    "$here/peerjs-server.mjs" "$peerjs_port" "$results/peerjs-mem.json" >"$results/peerjs.log" 2>&1 &
  started_pids+=($!); server_pids+=($!)
  node_urls+=("ws://127.0.0.1:$peerjs_port")
  wait_http "http://127.0.0.1:$peerjs_port/" 30
fi

# ---- /proc sampler: epoch-ms pid cpu-ticks rss-kB, every 250 ms ----
sample_once() {
  local now; now="$(date +%s%3N)"
  for pid in "${server_pids[@]}"; do
    [ -r "/proc/$pid/stat" ] || continue
    local ticks rss
    ticks="$(sed 's/^.*) //' "/proc/$pid/stat" | awk '{print $12 + $13}')"
    rss="$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")"
    echo "$now $pid $ticks $rss"
  done
}
( while true; do sample_once; sleep 0.25; done ) >"$results/samples.txt" 2>/dev/null &
sampler_pid=$!

heap_after_gc_kb() { # pid -> live heap after a full GC, kB
  if [ "$target" = switchboard ]; then
    jcmd "$1" GC.class_histogram 2>/dev/null | awk '/^Total/ {print int($3/1024)}'
  else
    rm -f "$results/peerjs-mem.json"; kill -USR2 "$1"
    for _ in $(seq 1 100); do [ -s "$results/peerjs-mem.json" ] && break; sleep 0.1; done
    sed -E 's/.*"heapUsed":([0-9]+).*/\1/' "$results/peerjs-mem.json" | awk '{print int($1/1024)}'
  fi
}
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

driver=()
if [ "$pin" = 1 ]; then
  for pid in "${server_pids[@]}"; do taskset -a -p -c 0 "$pid" >/dev/null; done
  driver=(taskset -c 1)   # Maven and the Gatling JVM it forks inherit the mask
fi
gatling() { # summary-file marks-dir log extra-props...
  local summary="$1" marks="$2" log="$3"; shift 3
  mkdir -p "$marks"
  (cd "$here" && "${driver[@]}" mvn -B test-compile gatling:test \
    -Dgatling.simulationClass="io.switchboard.load.$scenario" -Dgatling.jvmHeap="$gheap" \
    -Dtarget="$target" -Dnodes="$nodes_prop" -Dsecret="$secret" \
    -Dsummary.file="$summary" -Dmarks.dir="$marks" "$@") >"$log" 2>&1
}
nodes_prop="$(IFS=,; echo "${node_urls[*]}")"
if [ "$warmup" = 1 ]; then
  case "$scenario" in
    ConnectStorm) warm=(-Dsessions="$warmup_sessions" -Drate="$warmup_rate" -DholdSeconds=1) ;;
    CallSetup|ClusterCallSetup) warm=(-Dpairs=200) ;;
    SteadyRelay*|ClusterSteadyRelay) warm=(-DstepSeconds=3) ;;
    Broadcast) warm=(-Dviewers=200) ;;
  esac
  gatling "$results/warmup.properties" "$results/warmup-marks" "$results/warmup.log" "${props[@]}" "${warm[@]}" \
    || echo "run.sh: warm-up run failed (see $results/warmup.log); measuring anyway" >&2
  sleep 2
fi

# memory baseline (idle server) and, for ConnectStorm, the plateau measurement while sessions are held
first_pid="${server_pids[0]}"
sleep 1
base_heap="$(heap_after_gc_kb "$first_pid")"; base_rss="$(rss_kb "$first_pid")"
native_memory() { [ "$nmt" = 1 ] && [ "$target" = switchboard ] && jcmd "$first_pid" VM.native_memory summary >"$results/native-memory-$1.txt" 2>&1 || true; }
native_memory base
echo "base_rss_kb=$base_rss base_heap_kb=$base_heap" >"$results/memory.txt"
if [ "$scenario" = ConnectStorm ]; then
  (
    while [ ! -f "$results/marks/plateau" ]; do sleep 0.5; done
    sleep 3
    echo "plateau_rss_kb=$(rss_kb "$first_pid")" >>"$results/memory.txt"
    native_memory plateau
    echo "plateau_heap_kb=$(heap_after_gc_kb "$first_pid")" >>"$results/memory.txt"
    # what the live heap is made of, for the per-session breakdown (Java only)
    [ "$target" = switchboard ] && jcmd "$first_pid" GC.class_histogram >"$results/histogram.txt" 2>/dev/null || true
    echo "plateau_rss_after_gc_kb=$(rss_kb "$first_pid")" >>"$results/memory.txt"
  ) &
  watcher_pid=$!
fi

# ---- the simulation ----
load_before="$(cut -d' ' -f1 /proc/loadavg)"
set +e
gatling "$results/summary.properties" "$results/marks" "$results/gatling.log" "${props[@]}"
status=$?
set -e
if [ -n "${watcher_pid:-}" ]; then
  kill "$watcher_pid" 2>/dev/null || true
  wait "$watcher_pid" 2>/dev/null || true
fi
load_after="$(cut -d' ' -f1 /proc/loadavg)"
stop_all

if [ "$status" != 0 ]; then
  echo "run.sh: simulation FAILED (exit $status); Gatling's verdict:" >&2
  grep -E 'KO|failed|Assertion|ERROR|>' "$results/gatling.log" | grep -vE '^\[INFO\] Download' | tail -30 >&2 || true
fi
[ -f "$results/summary.properties" ] || { echo "run.sh: no figures ($results/gatling.log)" >&2; exit "${status/#0/2}"; }

# ---- the summary line(s) ----
prop() { awk -F= -v k="$1" '$1 == k {sub(/^[^=]*=/, ""); print; exit}' "$results/summary.properties"; }
memval() { awk -F= -v k="$1" '$1 == k {print $2; exit}' "$results/memory.txt"; }
hz="$(getconf CLK_TCK)"
cpu_ticks_between() { # start-ms end-ms -> server CPU ticks spent in [start, end], all server pids summed
  awk -v s="$1" -v e="$2" '
    $1 >= s && !($2 in first) { first[$2] = $3 }
    $1 <= e { last[$2] = $3 }
    END { t = 0; for (p in first) if (p in last) t += last[p] - first[p]; print t }' "$results/samples.txt"
}
max_rss_kb_between() {
  awk -v s="$1" -v e="$2" '$1 >= s && $1 <= e { r[$1] += $4 } END { m = 0; for (t in r) if (r[t] > m) m = r[t]; print m }' "$results/samples.txt"
}
line() { # label start end frames p50 p99 extra...
  local label="$1" s="$2" e="$3" frames="$4" p50="$5" p99="$6"; shift 6
  local secs ticks fps cpu_us rss
  secs="$(awk -v s="$s" -v e="$e" 'BEGIN {printf "%.3f", (e - s) / 1000}')"
  ticks="$(cpu_ticks_between "$s" "$e")"
  rss="$(max_rss_kb_between "$s" "$e")"
  fps="$(awk -v f="$frames" -v d="$secs" 'BEGIN {printf "%.0f", (d > 0 ? f / d : 0)}')"
  cpu_us="$(awk -v t="$ticks" -v f="$frames" -v hz="$hz" 'BEGIN {if (f > 0) printf "%.1f", t * 1e6 / hz / f; else print "n/a"}')"
  echo "scenario=$label target=$target sessions=$(prop sessions) frames/s=$fps p50_ms=$p50 p99_ms=$p99 cpu_us_per_frame=$cpu_us rss_mb=$(( rss / 1024 )) cpu_s=$(awk -v t="$ticks" -v hz="$hz" 'BEGIN {printf "%.2f", t / hz}') window_s=$secs $* load=$load_before/$load_after"
}

{
  case "$scenario" in
    ConnectStorm)
      n="$(prop sessions)"; held="$(prop sessions.connected)"; held="${held:-$n}"
      prss="$(memval plateau_rss_kb)"; pheap="$(memval plateau_heap_kb)"
      # per session: divided by the sessions actually held at the plateau
      per_rss="$(awk -v a="$prss" -v b="$base_rss" -v n="$held" 'BEGIN {printf "%.2f", (a - b) / n}')"
      per_heap="$(awk -v a="$pheap" -v b="$base_heap" -v n="$held" 'BEGIN {printf "%.2f", (a - b) / n}')"
      s="$(prop start)"; e="$(prop plateau)"
      ticks="$(cpu_ticks_between "$s" "$e")"
      echo "scenario=$scenario target=$target sessions=$n held=$held frames/s=0 p50_ms=$(prop connect.p50_ms) p99_ms=$(prop connect.p99_ms) cpu_us_per_frame=n/a rss_mb=$(( ${prss:-0} / 1024 )) rss_kb_per_session=$per_rss heap_after_gc_mb=$(( ${pheap:-0} / 1024 )) heap_kb_per_session=$per_heap base_rss_mb=$(( base_rss / 1024 )) cpu_us_per_connect=$(awk -v t="$ticks" -v n="$n" -v hz="$hz" 'BEGIN {printf "%.0f", t * 1e6 / hz / n}') connects_per_s=$(awk -v h="$held" -v s="$s" -v e="$e" 'BEGIN {printf "%.0f", (e > s ? h * 1000 / (e - s) : 0)}') load=$load_before/$load_after"
      ;;
    SteadyRelayStepped)
      for k in $(seq 0 $(( $(prop steps) - 1 ))); do
        line "$scenario[step$k rate=$(prop "step.$k.rate")]" "$(prop "step.$k.start")" "$(prop "step.$k.end")" \
          "$(prop "step.$k.received")" "$(prop "lat.$k.p50_ms")" "$(prop "lat.$k.p99_ms")" \
          "sent=$(prop "step.$k.sent") lost=$(prop "step.$k.lost") reordered=$(prop "step.$k.reordered")"
      done
      echo "scenario=$scenario target=$target best_rate_p99_under_${LOADTEST_BOUND_MS:-20}ms=$(prop best.rate) misdelivered=$(prop misdelivered) addressees_checked=$(prop addressees.checked) load=$load_before/$load_after"
      ;;
    *)
      line "$scenario" "$(prop window.start)" "$(prop window.end)" "$(prop frames)" "$(prop p50_ms)" "$(prop p99_ms)" "$(prop extra)"
      ;;
  esac
} | tee "$results/summary.txt"
echo "(details: $results)" >&2
exit "$status"
