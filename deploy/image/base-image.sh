#!/usr/bin/env bash
# Builds the image's base from Debian's own packages, with no container daemon and no registry: mmdebstrap makes
# a root file system (Java 17 runtime, CA certificates, the unprivileged user the node runs as), and this script
# wraps it as a one-layer image in `docker save` form, which Jib takes as a local base (`tar://`).
#
#   deploy/image/base-image.sh OUT.tar
#
# The result is kept: it is rebuilt only when OUT.tar is missing or was made from other inputs (this script, the
# suite, the mirrors). Delete it, or set REBUILD=1, to pick up Debian's newest security updates.
# DEBIAN_SUITE (bookworm), DEBIAN_MIRROR and DEBIAN_SECURITY_MIRROR (deb.debian.org) choose where packages come from.
set -euo pipefail

out=${1:?usage: base-image.sh OUT.tar}
suite=${DEBIAN_SUITE:-bookworm}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
security=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
packages=openjdk-17-jre-headless,ca-certificates
# the node's user: numeric, so a runtime can check "not root" without reading /etc/passwd (runAsNonRoot)
uid=10001

inputs="$(sha256sum "$0" | cut -d' ' -f1) $suite $mirror $security $packages $uid"
if [ -f "$out" ] && [ "${REBUILD:-0}" != 1 ] && [ "$(cat "$out.inputs" 2>/dev/null)" = "$inputs" ]; then
  echo "base image $out is up to date"
  exit 0
fi
command -v mmdebstrap >/dev/null || { echo "base-image.sh: mmdebstrap is missing (apt-get install mmdebstrap)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
started=$SECONDS
# --skip=output/dev: a runtime mounts its own /dev; device nodes in a layer only get in the way (rootless unpacking).
# Manual pages and documentation are left out (copyright files stay), as are translations; the JRE's postinst
# still links its manual page into man1, so that directory has to exist.
mmdebstrap --variant=apt --include="$packages" --skip=output/dev \
  --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
  --dpkgopt='path-include=/usr/share/doc/*/copyright' --dpkgopt='path-exclude=/usr/share/locale/*' \
  --essential-hook='mkdir -p "$1/usr/share/man/man1"' \
  --customize-hook="chroot \"\$1\" groupadd --system --gid $uid switchboard" \
  --customize-hook="chroot \"\$1\" useradd --system --uid $uid --gid $uid --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin switchboard" \
  "$suite" "$work/layer.tar" \
  "deb $mirror $suite main" "deb $mirror $suite-updates main" "deb $security $suite-security main"

diff_id=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
created=$(date -u +%Y-%m-%dT%H:%M:%SZ)
cat > "$work/config.json" <<JSON
{"architecture":"amd64","os":"linux","created":"$created",
 "config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","LANG=C.UTF-8"]},
 "rootfs":{"type":"layers","diff_ids":["sha256:$diff_id"]},
 "history":[{"created":"$created","created_by":"mmdebstrap --variant=apt --include=$packages $suite"}]}
JSON
cat > "$work/manifest.json" <<JSON
[{"Config":"config.json","RepoTags":["switchboard-base:$suite"],"Layers":["layer.tar"]}]
JSON
mkdir -p "$(dirname "$out")"
tar -C "$work" -cf "$out.tmp" manifest.json config.json layer.tar
mv "$out.tmp" "$out"
echo "$inputs" > "$out.inputs"
echo "base image $out built in $((SECONDS - started)) s"
