#!/usr/bin/env bash
# A small internet of network namespaces for Switchboard's tests (issue 14), and for reproducing a user's network
# by hand (docs/operations.md, "Reproduce a user's network").
#
#   rig.sh up PREFIX NODES [HOME:KIND ...]   build it (deletes stale rigs of dead owners first)
#   rig.sh down PREFIX                       kill what runs inside PREFIX's namespaces and delete them
#   rig.sh clean                             delete every stale rig (owner process gone)
#   rig.sh partition PREFIX NODE_INDEX       drop all traffic between node NODE_INDEX and the other nodes
#   rig.sh heal PREFIX NODE_INDEX            undo that
#   rig.sh loss PREFIX NAME PERCENT          drop PERCENT % of the packets entering namespace PREFIX-NAME at random
#                                            (NAME: node1, alice, alice-gw...; 0: no loss)
#
# PREFIX is "sbn<PID>" or "sbn<PID>x<TAG>": PID is the process that owns the rig (the test JVM, or the shell of a
# person at the keyboard). `clean`, and `up` before it builds, delete the namespaces of every rig whose owner is no
# longer alive, so a rerun after a killed run starts clean, while a concurrent live run is left alone.
#
# Layout, all inside 198.18.0.0/15 (RFC 2544 benchmarking space) and nothing else; no namespace has a default route
# out of it, and nothing is created in the caller's own namespace:
#   PREFIX-ix           the "public" segment: a bridge, 198.18.0.0/24 (the bridge namespace has no address)
#   PREFIX-nodeI        a server host on the segment, 198.18.0.(10+I)          I = 1..NODES
#   PREFIX-HOME-gw      a router for HOME: WAN 198.18.0.(100+K), LAN 198.19.K.1/24  K = position of HOME, from 1
#   PREFIX-HOME         the client host behind it, 198.19.K.2, default route via the router
# KIND is one of
#   fullcone   NAT with endpoint-independent mapping and filtering: a client port keeps its public port for every
#              destination, and anyone may send to it (unsolicited UDP to the WAN address goes to the client)
#   symmetric  NAT with a new random public port per destination (MASQUERADE --random), replies only
#   corporate  NAT plus a firewall: out only to TCP 443, every UDP datagram and every other TCP port dropped
#   direct     no router: the client sits on the public segment itself, 198.18.0.(200+K)
set -euo pipefail

readonly PUBLIC_NET=198.18.0
readonly PREFIX_PATTERN='^sbn([0-9]+)(x[a-z0-9]+)?-'

die() {
  echo "rig.sh: $*" >&2
  exit 2
}

# Runs a command inside namespace $1.
in_ns() {
  local ns=$1
  shift
  ip netns exec "$ns" "$@"
}

# Creates namespace $1 with its loopback up, forwarding off and IPv6 off (the rig is IPv4 only: no stray
# link-local candidates or router solicitations).
make_ns() {
  ip netns add "$1"
  in_ns "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  in_ns "$1" sysctl -qw net.ipv4.ip_forward=0
  ip -n "$1" link set lo up
}

# Connects namespace $1 to the public bridge with interface "wan" holding address $2/24.
attach_public() {
  local ns=$1 address=$2 port
  port="p$((++PORTS))"
  ip link add wan netns "$ns" type veth peer name "$port" netns "$IX"
  ip -n "$IX" link set "$port" master pub up
  ip -n "$ns" addr add "$address/24" dev wan
  ip -n "$ns" link set wan up
}

# The router and client of home $1 of kind $2, home number $3.
make_home() {
  local home=$1 kind=$2 k=$3
  local client="$PREFIX-$home" router="$PREFIX-$home-gw"
  local lan="198.19.$k" wan_address="$PUBLIC_NET.$((100 + k))"
  make_ns "$client"
  if [ "$kind" = direct ]; then
    attach_public "$client" "$PUBLIC_NET.$((200 + k))"
    return
  fi
  make_ns "$router"
  attach_public "$router" "$wan_address"
  ip link add lan netns "$router" type veth peer name eth0 netns "$client"
  ip -n "$router" addr add "$lan.1/24" dev lan
  ip -n "$router" link set lan up
  ip -n "$client" addr add "$lan.2/24" dev eth0
  ip -n "$client" link set eth0 up
  ip -n "$client" route add default via "$lan.1"
  in_ns "$router" sysctl -qw net.ipv4.ip_forward=1
  nat_rules "$router" "$kind" "$lan.2"
}

# The NAT (and firewall) of router $1, of kind $2, for client address $3.
nat_rules() {
  local router=$1 kind=$2 client=$3
  local ipt=(ip netns exec "$router" iptables -w)
  "${ipt[@]}" -P FORWARD DROP
  "${ipt[@]}" -A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
  case "$kind" in
    fullcone)
      # Linux keeps the client's source port when it can, whatever the destination: endpoint-independent mapping.
      "${ipt[@]}" -t nat -A POSTROUTING -o wan -j MASQUERADE
      # Endpoint-independent filtering: any unsolicited UDP to the WAN address is for the client, same port.
      "${ipt[@]}" -t nat -A PREROUTING -i wan -p udp -j DNAT --to-destination "$client"
      "${ipt[@]}" -A FORWARD -i wan -p udp -d "$client" -j ACCEPT
      "${ipt[@]}" -A FORWARD -i lan -j ACCEPT
      ;;
    symmetric)
      # A random public port for every new (source, destination) pair: what a STUN server sees is useless to a peer.
      "${ipt[@]}" -t nat -A POSTROUTING -o wan -j MASQUERADE --random
      "${ipt[@]}" -A FORWARD -i lan -j ACCEPT
      ;;
    corporate)
      "${ipt[@]}" -t nat -A POSTROUTING -o wan -j MASQUERADE
      # Only TCP to port 443 leaves; every UDP datagram and every other TCP port is dropped (no reject: a silent
      # firewall, as most are, so the browser learns nothing until its timers run out).
      "${ipt[@]}" -A FORWARD -i lan -p tcp --dport 443 -j ACCEPT
      ;;
    *)
      die "unknown home kind '$kind' (fullcone, symmetric, corporate, direct)"
      ;;
  esac
}

# The namespaces of rig $1, one a line.
namespaces_of() {
  ip netns list | awk '{print $1}' | grep -E "^$1-" || true
}

# Kills whatever still runs inside rig $1's namespaces (the rig started it: only rig namespaces are touched),
# then deletes the namespaces; their veths go with them.
down() {
  local prefix=$1 ns pids
  for ns in $(namespaces_of "$prefix"); do
    pids=$(ip netns pids "$ns" || true)
    if [ -n "$pids" ]; then
      # shellcheck disable=SC2086
      kill -9 $pids 2>/dev/null || true
    fi
  done
  for ns in $(namespaces_of "$prefix"); do
    ip netns delete "$ns" || echo "rig.sh: could not delete namespace $ns" >&2
  done
}

# Deletes every rig whose owner process is gone.
clean() {
  local ns owner prefix
  for ns in $(ip netns list | awk '{print $1}'); do
    [[ $ns =~ $PREFIX_PATTERN ]] || continue
    owner=${BASH_REMATCH[1]}
    prefix="sbn$owner${BASH_REMATCH[2]}"
    if ! kill -0 "$owner" 2>/dev/null && ip netns list | awk '{print $1}' | grep -qx "$ns"; then
      echo "rig.sh: deleting stale rig $prefix (owner $owner is gone)" >&2
      down "$prefix"
    fi
  done
}

up() {
  local nodes=$1 i k=0 spec
  shift
  [[ "$PREFIX-" =~ $PREFIX_PATTERN ]] || die "prefix '$PREFIX' must look like sbn<PID> or sbn<PID>x<tag>"
  [ -z "$(namespaces_of "$PREFIX")" ] || die "rig $PREFIX exists already (rig.sh down $PREFIX)"
  clean
  # a build that fails half-way leaves nothing behind (set -e ends the script at the failing command)
  trap 'down "$PREFIX"' EXIT
  IX="$PREFIX-ix"
  PORTS=0
  make_ns "$IX"
  ip -n "$IX" link add pub type bridge
  ip -n "$IX" link set pub up
  for ((i = 1; i <= nodes; i++)); do
    make_ns "$PREFIX-node$i"
    attach_public "$PREFIX-node$i" "$PUBLIC_NET.$((10 + i))"
  done
  for spec in "$@"; do
    k=$((k + 1))
    make_home "${spec%%:*}" "${spec#*:}" "$k"
  done
  trap - EXIT
}

# Drops every packet between node $1 and the other nodes of the segment (both ways, in the node's own namespace),
# so the node stays up and reachable by clients, but the cluster splits.
partition() {
  local ns="$PREFIX-node$1" i
  local ipt=(ip netns exec "$ns" iptables -w)
  "${ipt[@]}" -N SBPARTITION 2>/dev/null || "${ipt[@]}" -F SBPARTITION
  for ((i = 1; i <= 20; i++)); do
    [ "$i" = "$1" ] && continue
    "${ipt[@]}" -A SBPARTITION -s "$PUBLIC_NET.$((10 + i))" -j DROP
    "${ipt[@]}" -A SBPARTITION -d "$PUBLIC_NET.$((10 + i))" -j DROP
  done
  "${ipt[@]}" -I INPUT -j SBPARTITION
  "${ipt[@]}" -I OUTPUT -j SBPARTITION
}

heal() {
  local ns="$PREFIX-node$1"
  local ipt=(ip netns exec "$ns" iptables -w)
  "${ipt[@]}" -D INPUT -j SBPARTITION
  "${ipt[@]}" -D OUTPUT -j SBPARTITION
  "${ipt[@]}" -F SBPARTITION
  "${ipt[@]}" -X SBPARTITION
}

# Random loss on what enters namespace $1 (iptables' statistic match; tc netem is not available here), in a chain of
# its own so a new figure replaces the old one.
loss() {
  local ns=$1 percent=$2
  local ipt=(ip netns exec "$ns" iptables -w)
  if "${ipt[@]}" -N SBLOSS 2>/dev/null; then
    "${ipt[@]}" -I INPUT -j SBLOSS
  else
    "${ipt[@]}" -F SBLOSS
  fi
  if [ "$percent" -gt 0 ]; then
    "${ipt[@]}" -A SBLOSS -m statistic --mode random --probability "$(printf '0.%02d' "$percent")" -j DROP
  fi
}

command=${1:-}
[ $# -ge 1 ] && shift
case "$command" in
  up)
    [ $# -ge 2 ] || die "usage: rig.sh up PREFIX NODES [HOME:KIND ...]"
    PREFIX=$1
    shift
    up "$@"
    ;;
  down)
    [ $# -eq 1 ] || die "usage: rig.sh down PREFIX"
    down "$1"
    ;;
  clean)
    clean
    ;;
  partition | heal)
    [ $# -eq 2 ] || die "usage: rig.sh $command PREFIX NODE_INDEX"
    PREFIX=$1
    "$command" "$2"
    ;;
  loss)
    [ $# -eq 3 ] || die "usage: rig.sh loss PREFIX NAME PERCENT"
    [ "$3" -ge 0 ] && [ "$3" -lt 100 ] || die "PERCENT must be 0-99"
    loss "$1-$2" "$3"
    ;;
  *)
    die "usage: rig.sh up|down|clean|partition|heal|loss ... (see the comment at the top)"
    ;;
esac
