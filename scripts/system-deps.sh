#!/usr/bin/env bash
# Installs the Debian packages the tests and the demo use, when they are missing.
set -euo pipefail
need=()
command -v apertium >/dev/null 2>&1 || need+=(apertium)
[ -d /usr/share/apertium/apertium-eng-spa ] || need+=(apertium-eng-spa)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v node >/dev/null 2>&1 || need+=(nodejs npm)
if [ ${#need[@]} -eq 0 ]; then
  echo "system packages: all present"
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  echo "system packages missing (${need[*]}); run as root or install them with apt-get" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
echo "system packages: installed ${need[*]}"
