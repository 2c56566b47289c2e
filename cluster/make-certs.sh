#!/usr/bin/env bash
# Makes a cluster CA and one certificate per member for the event bus's mutual TLS (cluster.tls.*).
#
#   cluster/make-certs.sh DIR NAME [NAME ...]
#
# In DIR: ca.pem and ca.key (made once, reused while valid), then NAME.pem and NAME.key for each NAME that has
# no valid certificate yet. Keys are EC P-256 in PKCS#8 PEM, readable by their owner only. Each member
# certificate allows serverAuth and clientAuth (a member does both) and names NAME and the addresses in
# CERT_IPS (default 127.0.0.1) as subject alternative names. Settings (environment): DAYS (30) validity of new
# certificates, CERT_IPS (comma-separated IPs).
#
# Every certificate this CA signs is a member of the cluster: keep ca.key away from the members (they need
# ca.pem only) and use a CA for one cluster alone. cluster/start-local.sh uses this script; in production,
# your own PKI (cert-manager, Vault, step-ca) can issue the same kind of certificates.
set -euo pipefail

if [ "$#" -lt 2 ]; then
  echo "usage: $0 DIR NAME [NAME ...]" >&2
  exit 2
fi
dir="$1"
shift
days="${DAYS:-30}"
ips="${CERT_IPS:-127.0.0.1}"
command -v openssl >/dev/null 2>&1 || { echo "$0: openssl is needed (apt-get install openssl)" >&2; exit 2; }

mkdir -p "$dir"
umask 077

# valid for at least another day?
fresh() {
  [ -s "$1" ] && openssl x509 -in "$1" -noout -checkend 86400 >/dev/null 2>&1
}

if ! fresh "$dir/ca.pem" || [ ! -s "$dir/ca.key" ]; then
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$dir/ca.key" 2>/dev/null
  openssl req -x509 -new -key "$dir/ca.key" -sha256 -days "$((days + 1))" -subj "/CN=Switchboard cluster CA" \
    -addext "basicConstraints=critical,CA:true" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$dir/ca.pem"
  # members signed by an earlier CA would no longer be trusted: make them again
  for old in "$dir"/*.pem; do
    [ "$old" = "$dir/ca.pem" ] || rm -f "$old"
  done
fi

for name in "$@"; do
  if ! [[ "$name" =~ ^[A-Za-z0-9_.-]{1,64}$ ]]; then
    echo "$0: '$name' is not a member name (1-64 of A-Z a-z 0-9 _ . -)" >&2
    exit 2
  fi
  if fresh "$dir/$name.pem" && openssl verify -CAfile "$dir/ca.pem" "$dir/$name.pem" >/dev/null 2>&1; then
    continue
  fi
  san="DNS:$name"
  IFS=',' read -r -a addresses <<< "$ips"
  for ip in "${addresses[@]}"; do
    [ -n "$ip" ] && san+=",IP:$ip"
  done
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$dir/$name.key" 2>/dev/null
  openssl req -new -key "$dir/$name.key" -subj "/CN=$name" -out "$dir/$name.csr"
  openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial \
    -days "$days" -sha256 -out "$dir/$name.pem" -extfile <(printf '%s\n' \
      "basicConstraints=critical,CA:false" \
      "keyUsage=critical,digitalSignature" \
      "extendedKeyUsage=serverAuth,clientAuth" \
      "subjectAltName=$san") 2>/dev/null
  rm -f "$dir/$name.csr"
done
chmod 644 "$dir/ca.pem" "$dir"/*.pem
echo "certificates in $dir: ca.pem, $(printf '%s.pem ' "$@")(keys: *.key, owner only)"
