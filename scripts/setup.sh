#!/usr/bin/env bash
# Sets up everything sulo needs on a fresh Debian machine: Debian packages, uv, the Python environment
# from the lock file, the browser assets from the npm lock file. Safe to run again: it only does what is
# missing, so a second run takes seconds.
#   scripts/setup.sh          what the demo needs
#   scripts/setup.sh --test   also what the test suite needs (Chromium, a running PostgreSQL)
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[[ "${1:-}" == "--test" ]] && want_test=1

say() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }

# vpdq (video hashing) builds against FFmpeg's development packages; WeasyPrint needs Pango (present on
# Debian); Chromium drives the browser tests.
debs=(libavcodec-dev libavformat-dev libavdevice-dev libavfilter-dev libswscale-dev libswresample-dev pkg-config
      fonts-dejavu-core)
(( want_test )) && debs+=(chromium)
missing=()
for pkg in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if (( ${#missing[@]} )); then
  say "installing Debian packages: ${missing[*]}"
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v uv >/dev/null 2>&1; then
  say "installing uv"
  python3 -m pip install --quiet --disable-pip-version-check uv
fi
say "Python environment (uv sync --frozen)"
uv sync --frozen --quiet

if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  say "browser assets (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi
vendor=src/sulo/web/static/vendor
mkdir -p "$vendor"
cp node_modules/htmx.org/dist/htmx.min.js node_modules/vega/build/vega.min.js \
   node_modules/vega-lite/build/vega-lite.min.js node_modules/vega-embed/build/vega-embed.min.js "$vendor/"

if (( want_test )); then
  if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
    say "starting PostgreSQL"
    if command -v pg_ctlcluster >/dev/null 2>&1 && ls /etc/postgresql >/dev/null 2>&1; then
      pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start || true
    fi
    for _ in $(seq 1 20); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.5; done
    pg_isready -q -h 127.0.0.1 -p 5432 || say "PostgreSQL could not start: its tests will be skipped"
  fi
fi
say "ready"
