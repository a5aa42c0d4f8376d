#!/usr/bin/env bash
# Start the action server and the Rasa server (REST channel) on loopback; stop both on Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
RASA_PORT="${RASA_PORT:-5005}"
ACTIONS_PORT="${ACTIONS_PORT:-5055}"
WEB_PORT="${ZORGROUTE_WEB_PORT:-8080}"
export ZORGROUTE_PUBLIC_RASA_URL="${ZORGROUTE_PUBLIC_RASA_URL:-http://127.0.0.1:${RASA_PORT}}"
export ACTION_SERVER_URL="http://127.0.0.1:${ACTIONS_PORT}/webhook"
# The action server only accepts calls carrying this secret; make one for this run if none is set.
export ACTION_SERVER_TOKEN="${ACTION_SERVER_TOKEN:-$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(24))')}"

# Tickets queued in the outbox while the database was down are written now (and the schema created).
.venv/bin/python -m bot tickets drain || true

.venv/bin/python -m bot actions --port "$ACTIONS_PORT" >/dev/null 2>&1 &
actions_pid=$!
.venv/bin/python -m bot web --port "$WEB_PORT" >/dev/null 2>&1 &
web_pid=$!
trap 'kill $actions_pid $web_pid 2>/dev/null || true' EXIT INT TERM

cat <<MSG

Zorgroute starts (the model takes ~20 s to load):
  information page with the chat:  http://127.0.0.1:${WEB_PORT}/
  staff console:                   http://127.0.0.1:${WEB_PORT}/console
                                   (make an account first: .venv/bin/python -m bot staff add NAME)
  Rasa REST channel:               http://127.0.0.1:${RASA_PORT}/webhooks/rest/webhook
Talk to it over the REST channel, for example:
  curl -s -XPOST http://127.0.0.1:${RASA_PORT}/webhooks/rest/webhook \\
       -H 'Content-Type: application/json' \\
       -d '{"sender": "ik", "message": "Mijn moeder heeft dementie en kan niet meer thuis wonen"}'
or, in another terminal:  .venv/bin/rasa shell --endpoints endpoints.yml
Stop with Ctrl-C.

MSG
# Sanic's hard limit on any request to Rasa; the chat channel itself refuses more than ZORGROUTE_CHAT_MAX_BYTES.
SANIC_REQUEST_MAX_SIZE="${SANIC_REQUEST_MAX_SIZE:-1048576}" \
.venv/bin/rasa run --model models/zorgroute.tar.gz --endpoints endpoints.yml --credentials credentials.yml \
  --interface 127.0.0.1 --port "$RASA_PORT" --cors "http://127.0.0.1:${WEB_PORT}" "http://localhost:${WEB_PORT}"
