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
# Vazirmatn without its Latin letters (48 KB instead of 111 KB): Persian text in Vazirmatn, Latin
# letters and digits in the system's own font (the font stacks name it next).
# unicode-range: a page with no Persian text (English) never downloads it.
sed -e 's/Vazirmatn\[wght\]\.woff2/Vazirmatn-NL[wght].woff2/g' \
    -e 's/font-display: swap;/font-display: swap;\n  unicode-range: U+0600-06FF, U+0750-077F, U+08A0-08FF, U+200C-200F, U+FB50-FDFF, U+FE70-FEFF;/' \
    "$nm"/vazirmatn/Vazirmatn-Variable-font-face.css >"$out"/vazirmatn/Vazirmatn-Variable-font-face.css
cp "$nm"/vazirmatn/misc/Non-Latin/fonts/webfonts/'Vazirmatn-NL[wght].woff2' "$out"/vazirmatn/fonts/webfonts/
cp "$nm"/vazirmatn/OFL.txt "$out"/vazirmatn/
echo "assets copied into $out"
