#!/usr/bin/env bash
# Debian packages certflow needs beside its Python environment (make install runs this):
#   fonts-wqy-microhei  a CJK TrueType font embedded in the certificate documents
#   poppler-utils       pdftotext / pdffonts / pdftoppm, with which the tests read and render them
#   chromium            the headless browser that loads the process pages in the tests
#   nodejs (with npm)   for the pinned front-end packages (web/package.json: bpmn-js, bpmnlint)
# Installs what is missing with apt-get (as root, or through sudo); elsewhere it says what to install.
set -euo pipefail
PACKAGES=(fonts-wqy-microhei poppler-utils chromium nodejs)
missing=()
for package in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
    echo "certflow needs: ${missing[*]} (a CJK TrueType font and poppler's PDF tools); install them" \
         "with your system's package manager, or set CERTFLOW_DOCUMENT_FONT to a CJK .ttf/.ttc" >&2
    exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "installing ${missing[*]} with apt-get" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get install -y --no-install-recommends "${missing[@]}" \
    || { $sudo apt-get update && $sudo apt-get install -y --no-install-recommends "${missing[@]}"; }
