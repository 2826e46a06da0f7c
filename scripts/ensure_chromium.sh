#!/usr/bin/env bash
# Browser tests drive Debian's chromium through Playwright. Install it when it is missing
# (Playwright's own browser download cannot work without the internet, so it is never used).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
echo "chromium is missing: installing Debian's package (needs root or sudo)..."
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
/usr/bin/chromium --version
