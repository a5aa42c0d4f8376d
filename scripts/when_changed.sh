#!/usr/bin/env bash
# Usage: when_changed.sh STAMP "PATHS..." COMMAND...
# Runs COMMAND only when the content of PATHS changed since the last successful run (or the
# stamp is missing), then records the new fingerprint in STAMP and how long COMMAND took in
# STAMP.json ({"seconds": ..., "finished": unix time}; `make bench` reports the training time from it).
set -euo pipefail
stamp="$1"; paths="$2"; shift 2
# shellcheck disable=SC2086
now="$(find $paths -type f \( -name '*.py' -o -name '*.yml' -o -name '*.yaml' -o -name '*.json' -o -name '*.txt' -o -path '*/.make/*' \) \
        -not -path '*/__pycache__/*' -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$now" ] && [ "${FORCE:-0}" != "1" ]; then
  echo "==> $(basename "$stamp"): up to date"
  exit 0
fi
echo "==> $(basename "$stamp"): building"
started="$(date +%s)"
"$@"
mkdir -p "$(dirname "$stamp")"
echo "$now" > "$stamp"
finished="$(date +%s)"
echo "{\"seconds\": $((finished - started)), \"finished\": $finished}" > "$stamp.json"
