#!/usr/bin/env bash
# Create .venv with Python 3.10 and install the pinned dependencies, only when needed.
set -euo pipefail
cd "$(dirname "$0")/.."

py="$(bash scripts/find_python310.sh)"
if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)'; then
  echo "==> Creating .venv with $py"
  rm -rf .venv
  "$py" -m venv .venv
fi

stamp=.venv/.zorgroute-deps
want="$(cat requirements/lock.txt pyproject.toml | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "==> Installing pinned dependencies (requirements/lock.txt); this takes a few minutes the first time"
  .venv/bin/python -m pip install --quiet --upgrade "pip==24.2" "setuptools==70.3.0" "wheel==0.45.1"
  .venv/bin/python -m pip install --quiet -r requirements/lock.txt
  .venv/bin/python -m pip install --quiet --no-deps --no-build-isolation -e .
  echo "$want" > "$stamp"
else
  echo "==> Dependencies up to date"
fi
