#!/usr/bin/env bash
# Debian's Chromium for the browser tests (driven by playwright-core). CHROMIUM_PATH points at
# another build; otherwise /usr/bin/chromium is installed from Debian's packages when missing.
set -euo pipefail
path="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$path" ]; then exit 0; fi
if [ "$(id -u)" != "0" ]; then
  echo "ensure-chromium: $path is missing; install Debian's chromium package (apt-get install chromium) or set CHROMIUM_PATH" >&2
  exit 1
fi
echo "ensure-chromium: installing Debian's chromium"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk >/dev/null
