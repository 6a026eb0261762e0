#!/usr/bin/env bash
# Installs the Debian packages the tests need (PostgreSQL server, Chromium for the web widget's
# browser tests, HAProxy and Redis for the scaled profile's drills) when they are missing, and the
# libraries and fonts WeasyPrint renders the PDFs with (api/core/pdf.py: Pango, HarfBuzz, DejaVu).
# The default stack needs none but the PDF ones: it runs on SQLite and in-process stores.
set -euo pipefail
missing=()
compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null || missing+=(postgresql)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ] || missing+=(haproxy)
command -v redis-server >/dev/null || missing+=(redis-server)
has_library() { ldconfig -p 2>/dev/null | grep -q "$1"; }
has_library 'libpango-1.0.so.0 ' || missing+=(libpango-1.0-0)
has_library 'libpangoft2-1.0.so.0 ' || missing+=(libpangoft2-1.0-0)
has_library 'libharfbuzz.so.0 ' || missing+=(libharfbuzz0b)
has_library 'libharfbuzz-subset.so.0 ' || missing+=(libharfbuzz-subset0)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null; then
  echo "[system] please install: ${missing[*]}" >&2; exit 1
fi
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
echo "[system] installing ${missing[*]}" >&2
$SUDO apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
