#!/usr/bin/env bash
# Refreshes the pinned third-party browser files in static/vendor/ from the npm registry.
# Usage: scripts/refresh-vendor.sh   (change the versions below to upgrade)
set -euo pipefail
HTMX_VERSION=2.0.11
IDB_VERSION=8.0.4

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
{
  echo "# Third-party browser files, refreshed by scripts/refresh-vendor.sh"
  echo "htmx.org ${HTMX_VERSION} (BSD Zero Clause License): htmx.min.js, htmx.LICENSE"
  echo "sha256 $(sha256sum "$vendor/htmx.min.js" | cut -d' ' -f1)  htmx.min.js"
  echo "idb ${IDB_VERSION} (ISC License): idb.js (build/index.js, the ES module), idb.LICENSE"
  echo "sha256 $(sha256sum "$vendor/idb.js" | cut -d' ' -f1)  idb.js"
} > "$vendor/VERSIONS.txt"
echo "static/vendor refreshed: htmx.org ${HTMX_VERSION}, idb ${IDB_VERSION}"
