#!/usr/bin/env bash
# Renders the first page of every document anjian generates, as a bureau opens it, into
# docs/screens/doc-*.png: the documents are fetched from a running demo city, converted by
# LibreOffice (Writer for .docx, Calc for .xlsx with the sheet's own print set-up) and the
# first page turned into a PNG. Outside CI, which stays lean:
#
#   apt-get install -y --no-install-recommends libreoffice-writer-nogui libreoffice-calc-nogui \
#       poppler-utils fonts-wqy-microhei chromium chromium-driver
#   ANJIAN_DATA_DIR=/tmp/demo anjian serve --demo --listen 127.0.0.1:8089 --insecure-cookies &
#   chromedriver --port=9515 &
#   scripts/render-docs.sh http://127.0.0.1:8089 /tmp/demo/demo-accounts.txt docs/screens
set -euo pipefail
base=${1:-http://127.0.0.1:8089}
accounts=${2:-/tmp/demo/demo-accounts.txt}
out=${3:-docs/screens}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 "$here/fetch-docs.py" "$base" "$accounts" "$work"
for f in "$work"/*.docx "$work"/*.xlsx; do
  [ -e "$f" ] || continue
  soffice --headless --convert-to pdf --outdir "$work" "$f" >/dev/null 2>&1
  name=$(basename "${f%.*}")
  # Sheets are a landscape page of small print: rendered sharper to be read.
  case "$f" in *.xlsx) dpi=110 ;; *) dpi=60 ;; esac
  pdftoppm -png -r "$dpi" -f 1 -l 1 -singlefile "$work/$name.pdf" "$out/doc-$name"
  echo "$out/doc-$name.png"
done
