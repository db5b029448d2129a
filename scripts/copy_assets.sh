#!/usr/bin/env bash
# Copies the pinned npm packages' built files into static/vendor/ (git-ignored). No CDN.
set -euo pipefail
cd "$(dirname "$0")/.."
nm=node_modules
out=static/vendor
rm -rf "$out"
mkdir -p "$out"/bootstrap "$out"/htmx "$out"/chartjs "$out"/axe "$out"/jalalidatepicker "$out"/vazirmatn/fonts/webfonts
cp "$nm"/bootstrap/dist/css/bootstrap.min.css "$nm"/bootstrap/dist/css/bootstrap.rtl.min.css "$out"/bootstrap/
cp "$nm"/bootstrap/dist/js/bootstrap.bundle.min.js "$out"/bootstrap/
cp "$nm"/htmx.org/dist/htmx.min.js "$out"/htmx/
cp "$nm"/chart.js/dist/chart.umd.min.js "$out"/chartjs/
# axe-core: injected by the browser tests only (accessibility checks), never served by a page
cp "$nm"/axe-core/axe.min.js "$out"/axe/
cp "$nm"/@majidh1/jalalidatepicker/dist/jalalidatepicker.min.js "$nm"/@majidh1/jalalidatepicker/dist/jalalidatepicker.min.css "$out"/jalalidatepicker/
cp "$nm"/vazirmatn/Vazirmatn-Variable-font-face.css "$out"/vazirmatn/
cp "$nm"/vazirmatn/fonts/webfonts/'Vazirmatn[wght].woff2' "$out"/vazirmatn/fonts/webfonts/
cp "$nm"/vazirmatn/OFL.txt "$out"/vazirmatn/
echo "assets copied into $out"
