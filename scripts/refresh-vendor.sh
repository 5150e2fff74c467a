#!/usr/bin/env bash
# Refreshes the pinned third-party browser files in static/vendor/ (and the browser tests'
# own, in tests/e2e/vendor/) from the npm registry.
# Usage: scripts/refresh-vendor.sh   (change the versions below to upgrade)
set -euo pipefail
HTMX_VERSION=2.0.11
IDB_VERSION=8.0.4
LEAFLET_VERSION=1.9.4
AXE_VERSION=4.14.1

root=$(cd "$(dirname "$0")/.." && pwd)
vendor="$root/static/vendor"
test_vendor="$root/tests/e2e/vendor"
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
# axe-core checks the pages' accessibility in the browser tests; the app never serves it.
npm pack --silent "axe-core@${AXE_VERSION}" >/dev/null
tar -xzf "axe-core-${AXE_VERSION}.tgz"
mkdir -p "$test_vendor"
cp package/axe.min.js "$test_vendor/axe.min.js"
cp package/LICENSE "$test_vendor/axe.LICENSE"
cp package/LICENSE-3RD-PARTY.txt "$test_vendor/axe.LICENSE-3RD-PARTY.txt"
rm -rf package
{
  echo "# Third-party files for the browser tests only, refreshed by scripts/refresh-vendor.sh"
  echo "axe-core ${AXE_VERSION} (Mozilla Public License 2.0): axe.min.js, axe.LICENSE, axe.LICENSE-3RD-PARTY.txt"
  echo "sha256 $(sha256sum "$test_vendor/axe.min.js" | cut -d' ' -f1)  axe.min.js"
} > "$test_vendor/VERSIONS.txt"
echo "static/vendor refreshed: htmx.org ${HTMX_VERSION}, idb ${IDB_VERSION}, leaflet ${LEAFLET_VERSION}"
echo "tests/e2e/vendor refreshed: axe-core ${AXE_VERSION}"
