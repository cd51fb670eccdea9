#!/usr/bin/env bash
# Runs proxyservice here: installs what is missing, starts Redis when none answers at
# REDIS_URL, then a Celery worker and the web app under uWSGI. Ctrl-C stops them all.
set -euo pipefail
cd "$(dirname "$0")/.."
config/install.sh

export DATA_DIR="${DATA_DIR:-$PWD/data}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"
export PROXYSERVICE_HTTP="${PROXYSERVICE_HTTP:-127.0.0.1:8000}"
# On your own machine: development. Production (the images) refuses to start without AUTH_SECRET.
export PROXYSERVICE_ENV="${PROXYSERVICE_ENV:-development}"
mkdir -p "$DATA_DIR/redis" "$DATA_DIR/logs"

# Development without AUTH_SECRET: a secret of this data folder's own, made once and readable
# by you only. The service signs with it, and `proxyservice token` finds it in $DATA_DIR.
if [ -z "${AUTH_SECRET:-}" ] && [ "$PROXYSERVICE_ENV" = development ]; then
  secret_file="$DATA_DIR/development-secret"
  if [ ! -s "$secret_file" ]; then
    (umask 077 && .venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(48))' >"$secret_file.new" \
      && mv "$secret_file.new" "$secret_file")
  fi
  AUTH_SECRET="$(cat "$secret_file")"
  export AUTH_SECRET
fi

children=()
stop_all() { trap - EXIT INT TERM; kill "${children[@]}" 2>/dev/null || true; wait || true; }
trap stop_all EXIT INT TERM

if ! redis-cli -u "$REDIS_URL" ping >/dev/null 2>&1; then
  port=$(.venv/bin/python -c 'import sys, urllib.parse as u; print(u.urlparse(sys.argv[1]).port or 6379)' "$REDIS_URL")
  echo "run.sh: no Redis answers at $REDIS_URL; starting one on port $port (data in $DATA_DIR/redis)"
  redis-server config/redis.conf --port "$port" --dir "$DATA_DIR/redis" &
  children+=($!)
  for _ in $(seq 50); do redis-cli -u "$REDIS_URL" ping >/dev/null 2>&1 && break; sleep 0.1; done
else
  echo "run.sh: using the Redis that answers at $REDIS_URL (not started here, so not stopped on Ctrl-C)"
fi

# The worker gets no AUTH_SECRET: it signs nothing, and what it parses in its own process
# (images, text) comes from strangers.
env -u AUTH_SECRET .venv/bin/celery -A proxyservice.worker worker --loglevel=INFO \
  --concurrency="${WORKER_CONCURRENCY:-2}" --hostname="proxyservice@%h" &
worker=$!
UWSGI_VIRTUALENV="$PWD/.venv" .venv/bin/uwsgi --ini uwsgi.ini &
web=$!
children+=("$worker" "$web")
echo "run.sh: proxyservice on http://$PROXYSERVICE_HTTP (data in $DATA_DIR); Ctrl-C stops it"
# Stop when the worker or the web app ends; a Redis that stops is waited for
# (the service answers 503 and recovers when it is back), not a reason to quit.
wait -n "$worker" "$web"
