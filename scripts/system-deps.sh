#!/usr/bin/env bash
# Install the Debian packages the test suite needs (headless Chromium for browser journeys,
# Pango and a font for PDFs)
# when they are missing. Needs root; otherwise says what to install.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v npm >/dev/null 2>&1 || need+=(npm)
# WeasyPrint (invoice and report PDFs) needs Pango and a font.
ldconfig -p | grep "libpango-1.0.so" >/dev/null || need+=(libpango-1.0-0)
ldconfig -p | grep "libpangoft2-1.0.so" >/dev/null || need+=(libpangoft2-1.0-0)
[ -d /usr/share/fonts/truetype/dejavu ] || need+=(fonts-dejavu-core)
# Support's IMAP polling is tested against a real Dovecot that the tests start themselves.
[ -x /usr/sbin/dovecot ] || need+=(dovecot-imapd)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != "0" ]; then
  echo "Please install these Debian packages first: ${need[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
