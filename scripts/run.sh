#!/usr/bin/env bash
# Start Collab Portal: migrate, seed the demo organisation, then the web server,
# a Celery worker and Celery beat side by side. Ctrl-C stops all three.
#
# Embedded default: SQLite and kombu's filesystem broker under var/. Set
# DATABASE_URL and REDIS_URL to use PostgreSQL and Redis instead.
set -euo pipefail
cd "$(dirname "$0")/.."

PY="${PY:-.venv/bin/python}"
BIN="$(dirname "$PY")"
PORT="${PORT:-8000}"
HOST="${HOST:-127.0.0.1}"
export VAR_DIR="${VAR_DIR:-$PWD/var}"
mkdir -p "$VAR_DIR"

# A secret key made once for this installation and kept under var/.
if [ -z "${SECRET_KEY:-}" ]; then
  if [ ! -s "$VAR_DIR/secret_key" ]; then
    "$PY" -c 'import secrets; print(secrets.token_urlsafe(50))' > "$VAR_DIR/secret_key"
    chmod 600 "$VAR_DIR/secret_key"
  fi
  SECRET_KEY="$(cat "$VAR_DIR/secret_key")"
  export SECRET_KEY
fi
# Plain http on this machine: no HTTPS redirect or secure-only cookies.
export HTTPS_ONLY="${HTTPS_ONLY:-false}"
export ALLOWED_HOSTS="${ALLOWED_HOSTS:-localhost,127.0.0.1,$HOST}"
export DJANGO_SETTINGS_MODULE=collab_portal.settings

"$PY" manage.py migrate --noinput -v0
"$PY" manage.py collectstatic --noinput -v0
"$PY" manage.py seed_demo ${SEED_ARGS:-}

pids=()
stop() {
  trap - INT TERM EXIT
  echo "Stopping web, worker and beat…"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  # Give them 15 s to finish what they are doing, then stop whatever is left.
  for _ in $(seq 1 30); do
    alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" -eq 0 ] && break
    sleep 0.5
  done
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

"$BIN/celery" -A collab_portal worker --loglevel "${LOG_LEVEL:-info}" --concurrency "${WORKER_CONCURRENCY:-2}" \
  --hostname "worker@%h" &
pids+=($!)
"$BIN/celery" -A collab_portal beat --loglevel "${LOG_LEVEL:-info}" \
  --pidfile "$VAR_DIR/celerybeat.pid" &
pids+=($!)
"$BIN/gunicorn" collab_portal.wsgi:application --bind "$HOST:$PORT" --workers "${WEB_WORKERS:-2}" \
  --access-logfile - --graceful-timeout 5 &
pids+=($!)

cat <<INFO

  Collab Portal is running at http://$HOST:$PORT/
  Health: http://$HOST:$PORT/healthz/
  Demo logins (password printed above): admin, leader, sales_head, sales_staff1, purchasing_head, finance_head …
  Press Ctrl-C to stop web, worker and beat.

INFO

# Stop everything as soon as any one of the three exits.
wait -n "${pids[@]}"
echo "A process exited; stopping the others." >&2
exit 1
