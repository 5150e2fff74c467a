#!/usr/bin/env bash
# Refreshes the pinned third-party browser files in static/vendor/ from the npm registry.
# Usage: scripts/refresh-vendor.sh   (change the versions below to upgrade)
set -euo pipefail
HTMX_VERSION=2.0.11
IDB_VERSION=8.0.4
LEAFLET_VERSION=1.9.4

root=$(cd "$(dirname "$0")/.." && pwd)
vendor="$root/static/vendor"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cd "$work"
npm pack --silent "htmx.org@${HTMX_VERSION}" >/dev/null
tar -xzf "htmx.org-${HTMX_VERSION}.tgz"
mkdir -p "$vendor"
cp package/dist/htmx.min.js "$vendor/htmx.min.js"
cp package/LICENSE "$vendor/htmx.LICENSE"
rm -rf package
npm pack --silent "idb@${IDB_VERSION}" >/dev/null
tar -xzf "idb-${IDB_VERSION}.tgz"
cp package/build/index.js "$vendor/idb.js"
cp package/LICENSE "$vendor/idb.LICENSE"
rm -rf package
# The map is an online-only extra: these files stay out of the service worker's shell.
npm pack --silent "leaflet@${LEAFLET_VERSION}" >/dev/null
tar -xzf "leaflet-${LEAFLET_VERSION}.tgz"
rm -rf "$vendor/leaflet"
mkdir -p "$vendor/leaflet/images"
cp package/dist/leaflet.js package/dist/leaflet.css "$vendor/leaflet/"
cp package/dist/images/*.png "$vendor/leaflet/images/"
cp package/LICENSE "$vendor/leaflet/LICENSE"
{
  echo "# Third-party browser files, refreshed by scripts/refresh-vendor.sh"
  echo "htmx.org ${HTMX_VERSION} (BSD Zero Clause License): htmx.min.js, htmx.LICENSE"
  echo "sha256 $(sha256sum "$vendor/htmx.min.js" | cut -d' ' -f1)  htmx.min.js"
  echo "idb ${IDB_VERSION} (ISC License): idb.js (build/index.js, the ES module), idb.LICENSE"
  echo "sha256 $(sha256sum "$vendor/idb.js" | cut -d' ' -f1)  idb.js"
  echo "leaflet ${LEAFLET_VERSION} (BSD 2-Clause License): leaflet/ (dist/leaflet.js, leaflet.css, images/), leaflet/LICENSE"
  echo "sha256 $(sha256sum "$vendor/leaflet/leaflet.js" | cut -d' ' -f1)  leaflet/leaflet.js"
  echo "sha256 $(sha256sum "$vendor/leaflet/leaflet.css" | cut -d' ' -f1)  leaflet/leaflet.css"
} > "$vendor/VERSIONS.txt"
echo "static/vendor refreshed: htmx.org ${HTMX_VERSION}, idb ${IDB_VERSION}, leaflet ${LEAFLET_VERSION}"
