#!/usr/bin/env bash
# Builds the container image, target/switchboard-image.tar, with no daemon and no registry (docs/deploy.md):
# the fat jar, the Debian base (kept at target/image/base.tar), then Jib. Arguments go to Maven, e.g. -o,
# -Dimage.format=Docker, -Dimage.base=/var/cache/switchboard/base.tar.
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -B -q -Pimage -DskipTests -Dcheckstyle.skip "$@" package
echo "built target/switchboard-image.tar: podman load -i target/switchboard-image.tar (or docker load)"
