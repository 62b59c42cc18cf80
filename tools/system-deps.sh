#!/usr/bin/env bash
# The Debian packages the tests need, installed once (idempotent; `make test` and .ci/run call it).
# Without root, it stops with the exact command to run instead.
set -euo pipefail

PACKAGES=(
  chromium                # browser tests, chart images in xlsx/pdf
  poppler-utils           # pdftoppm/pdftotext read the PDF reports back
  fonts-dejavu-core       # the PDF report's Unicode font
  tesseract-ocr           # reading screenshots and rendered reports back as text
  postgresql              # the database-backed tests
  openjdk-17-jre-headless # the Java-side tests
)

missing=()
for package in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "missing system packages: ${missing[*]}" >&2
  echo "run: sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
