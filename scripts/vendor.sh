#!/usr/bin/env bash
# Copy the pinned front-end libraries from node_modules into static/vendor (git-ignored).
# Everything the pages load comes from our own server: municipal networks block CDNs.
set -euo pipefail
cd "$(dirname "$0")/.."
out=static/vendor
rm -rf "$out"
mkdir -p "$out/bootstrap" "$out/socket.io" "$out/axe-core"
cp node_modules/bootstrap/dist/css/bootstrap.min.css* "$out/bootstrap/"
cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js* "$out/bootstrap/"
cp node_modules/socket.io-client/dist/socket.io.min.js* "$out/socket.io/"
cp node_modules/axe-core/axe.min.js "$out/axe-core/"
for lib in bootstrap socket.io-client axe-core; do
  cp "node_modules/$lib/LICENSE"* "$out/${lib%-client}/" 2>/dev/null || true
done
