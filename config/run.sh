#!/usr/bin/env bash
# Runs proxyservice here: installs what is missing, starts Redis when none answers at
# REDIS_URL, then a Celery worker and the web app under uWSGI. Ctrl-C stops them all.
set -euo pipefail
cd "$(dirname "$0")/.."
config/install.sh

export DATA_DIR="${DATA_DIR:-$PWD/data}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"
export PROXYSERVICE_HTTP="${PROXYSERVICE_HTTP:-127.0.0.1:8000}"
# On your own machine: development signs tokens with a marked, insecure secret
# unless AUTH_SECRET is set. Production (the images) refuses to start without one.
export PROXYSERVICE_ENV="${PROXYSERVICE_ENV:-development}"
mkdir -p "$DATA_DIR/redis" "$DATA_DIR/logs"

children=()
stop_all() { trap - EXIT INT TERM; kill "${children[@]}" 2>/dev/null || true; wait || true; }
trap stop_all EXIT INT TERM

if ! redis-cli -u "$REDIS_URL" ping >/dev/null 2>&1; then
  port=$(.venv/bin/python -c 'import sys, urllib.parse as u; print(u.urlparse(sys.argv[1]).port or 6379)' "$REDIS_URL")
  echo "run.sh: no Redis answers at $REDIS_URL; starting one on port $port (data in $DATA_DIR/redis)"
  redis-server config/redis.conf --port "$port" --dir "$DATA_DIR/redis" &
  children+=($!)
  for _ in $(seq 50); do redis-cli -u "$REDIS_URL" ping >/dev/null 2>&1 && break; sleep 0.1; done
fi

.venv/bin/celery -A proxyservice.worker worker --loglevel=INFO \
  --concurrency="${WORKER_CONCURRENCY:-2}" --hostname="proxyservice@%h" &
worker=$!
UWSGI_VIRTUALENV="$PWD/.venv" .venv/bin/uwsgi --ini uwsgi.ini &
web=$!
children+=("$worker" "$web")
echo "run.sh: proxyservice on http://$PROXYSERVICE_HTTP (data in $DATA_DIR); Ctrl-C stops it"
# Stop when the worker or the web app ends; a Redis that stops is waited for
# (the service answers 503 and recovers when it is back), not a reason to quit.
wait -n "$worker" "$web"
