#!/usr/bin/env bash
# Debian packages the tests and the production shape need beyond Python: the PostgreSQL server (the
# tests start their own private cluster on loopback with its binaries), Chromium (the browser tests
# drive it with Playwright; no browser is downloaded), Redis and nginx (make run-prod and its tests).
# Installs only what is missing; never starts the packaged system services' configuration for us.
set -euo pipefail

missing=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 || missing+=(nginx-light)

if [ "${#missing[@]}" -eq 0 ]; then
  echo "==> System packages present"
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "Need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
echo "==> Installing Debian packages: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
