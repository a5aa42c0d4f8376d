#!/usr/bin/env bash
# Print the path of a CPython 3.10 interpreter, or explain how to get one and exit 1.
# Rasa Open Source 3.6 runs on Python 3.8-3.10 only; this project pins 3.10.
set -euo pipefail

is_310() { "$1" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)' 2>/dev/null; }

candidates=()
[ -n "${PYTHON310:-}" ] && candidates+=("$PYTHON310")
command -v python3.10 >/dev/null 2>&1 && candidates+=("$(command -v python3.10)")
pyenv_root="${PYENV_ROOT:-$HOME/.pyenv}"
if command -v pyenv >/dev/null 2>&1; then pyenv_root="$(pyenv root)"; fi
for dir in "$pyenv_root"/versions/3.10*; do
  [ -x "$dir/bin/python3.10" ] && candidates+=("$dir/bin/python3.10")
done
for p in /usr/local/bin/python3.10 /usr/bin/python3.10; do [ -x "$p" ] && candidates+=("$p"); done

for c in "${candidates[@]}"; do
  if is_310 "$c"; then echo "$c"; exit 0; fi
done

cat >&2 <<'MSG'
Zorgroute needs CPython 3.10 (Rasa Open Source 3.6 supports Python 3.8-3.10), and none was found.
Install one of these, then run the command again:
  - with pyenv:   pyenv install 3.10.13
  - on Debian:    apt-get install python3.10 python3.10-venv
or point to an existing interpreter:   PYTHON310=/path/to/python3.10 make setup
MSG
exit 1
