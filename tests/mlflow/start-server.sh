#!/usr/bin/env bash
# Starts a real MLflow server on 127.0.0.1 (a free port, SQLite backend, fresh temp dir) and
# waits until /health answers. Prints `URI PID DIR` on stdout.
# Usage: start-server.sh VENV [WORKERS] [basic-auth]. Stop it with: kill -- -PID (the whole
# process group). With `basic-auth`, MLflow's built-in authentication app runs (users in
# $DIR/basic_auth.db, default permission READ); the admin is `admin` with the password in
# MLFLOW_AUTH_ADMIN_PASSWORD, which the caller sets; bearer tokens are accepted for the users
# $DIR/bearer_tokens.json names (tests/mlflow/bearer_auth.py).
# With MLFLOW_BACKEND=postgresql, the tracking store is a PostgreSQL cluster made here (Debian's
# `postgresql` server binaries, initdb'd in $DIR/pg as an unprivileged user, on a free loopback
# port, trust auth on loopback only) and started in the same process group, so the one kill
# stops both; the venv needs psycopg2. Its store URI is written to $DIR/backend_uri.
set -euo pipefail
VENV=$(cd "$1" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
WORKERS=${2:-1}
APP=${3:-}
DIR=$(mktemp -d -t countersign-mlflow.XXXXXX)
free_port() { "$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
PORT=$(free_port)
cd "$DIR"
APP_ARGS=()
if [ "$APP" = basic-auth ]; then
  : "${MLFLOW_AUTH_ADMIN_PASSWORD:?set MLFLOW_AUTH_ADMIN_PASSWORD for the basic-auth admin}"
  # Basic auth as MLflow's own function does it, and bearer tokens through the test plugin
  # tests/mlflow/bearer_auth.py (tokens in $DIR/bearer_tokens.json, which the seed writes).
  printf '[mlflow]\ndefault_permission = READ\ndatabase_uri = sqlite:///%s/basic_auth.db\nadmin_username = admin\nauthorization_function = bearer_auth:authenticate_request\nauth_cache_ttl_seconds = 600\n' "$DIR" > "$DIR/basic_auth.ini"
  export MLFLOW_AUTH_CONFIG_PATH=$DIR/basic_auth.ini
  export MLFLOW_AUTH_BEARER_TOKENS=$DIR/bearer_tokens.json
  echo '{}' > "$MLFLOW_AUTH_BEARER_TOKENS"
  export PYTHONPATH="$HERE${PYTHONPATH:+:$PYTHONPATH}"
  MLFLOW_FLASK_SERVER_SECRET_KEY=$("$VENV/bin/python" -c 'import secrets; print(secrets.token_hex(16))')
  export MLFLOW_FLASK_SERVER_SECRET_KEY
  APP_ARGS=(--app-name basic-auth)
elif [ -n "$APP" ]; then
  echo "unknown app '$APP' (only basic-auth)" >&2
  exit 2
fi
# Webhooks (tests/tests/webhooks.rs): delivered to a listener on loopback over http (MLflow
# allows only https and public addresses unless told), with one secret-encryption key for
# every worker, and webhooks listed afresh each second (MLflow caches the list for 60 s).
export MLFLOW_WEBHOOK_ALLOWED_SCHEMES=http,https MLFLOW_WEBHOOK_ALLOW_PRIVATE_IPS=true MLFLOW_WEBHOOK_CACHE_TTL=1
MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY=$("$VENV/bin/python" -c 'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())')
export MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY
MLFLOW_ARGS=(server --host 127.0.0.1 --port "$PORT" --workers "$WORKERS" "${APP_ARGS[@]}"
  --artifacts-destination "$DIR/artifacts")
case "${MLFLOW_BACKEND:-sqlite}" in
  sqlite)
    # Its own process group (setsid), so that `kill -- -PID` stops the workers and job runners too.
    setsid "$VENV/bin/mlflow" "${MLFLOW_ARGS[@]}" --backend-store-uri "sqlite:///$DIR/mlflow.db" \
      > "$DIR/server.log" 2>&1 < /dev/null &
    PID=$!
    ;;
  postgresql)
    PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
    [ -x "$PGBIN/initdb" ] || { echo "PostgreSQL server binaries not found under /usr/lib/postgresql (install Debian's postgresql: scripts/install-test-deps.sh)" >&2; exit 1; }
    "$VENV/bin/python" -c 'import psycopg2' 2>/dev/null || { echo "$VENV has no psycopg2 (pip install psycopg2-binary: scripts/install-test-deps.sh)" >&2; exit 1; }
    PGPORT=$(free_port)
    # initdb and postgres refuse to run as root: as root, the cluster belongs to Debian's
    # `postgres` system user.
    RUNAS=""
    mkdir -p "$DIR/pg"
    if [ "$(id -u)" = 0 ]; then
      chmod 711 "$DIR"
      chown postgres: "$DIR/pg"
      RUNAS="runuser -u postgres --"
    fi
    $RUNAS "$PGBIN/initdb" -D "$DIR/pg/data" -U mlflow --auth=trust -E UTF8 > "$DIR/initdb.log" 2>&1 \
      || { cat "$DIR/initdb.log" >&2; exit 1; }
    BACKEND_URI="postgresql+psycopg2://mlflow@127.0.0.1:$PGPORT/mlflow"
    echo "$BACKEND_URI" > "$DIR/backend_uri"   # for bench/seed_bulk.py
    # One process group (setsid) for the cluster and the server: PostgreSQL starts, the
    # database is made, then MLflow runs (and migrates the schema) against it.
    export PGBIN PGPORT RUNAS DIR
    setsid bash -c '
      $RUNAS "$PGBIN/postgres" -D "$DIR/pg/data" -p "$PGPORT" -k "$DIR/pg" -c listen_addresses=127.0.0.1 \
        > "$DIR/postgres.log" 2>&1 &
      for _ in $(seq 1 120); do "$PGBIN/pg_isready" -q -U mlflow -h 127.0.0.1 -p "$PGPORT" && break; sleep 0.25; done
      "$PGBIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U mlflow mlflow || exit 1
      exec "$@"
    ' bash "$VENV/bin/mlflow" "${MLFLOW_ARGS[@]}" --backend-store-uri "$BACKEND_URI" > "$DIR/server.log" 2>&1 < /dev/null &
    PID=$!
    ;;
  *)
    echo "unknown MLFLOW_BACKEND '$MLFLOW_BACKEND' (sqlite or postgresql)" >&2
    exit 2
    ;;
esac
for _ in $(seq 1 240); do
  if curl -fsS "http://127.0.0.1:$PORT/health" >/dev/null 2>&1; then
    echo "http://127.0.0.1:$PORT $PID $DIR"
    exit 0
  fi
  if ! kill -0 "$PID" 2>/dev/null; then
    echo "MLflow server exited during start-up; its log:" >&2
    cat "$DIR/server.log" "$DIR/postgres.log" 2>/dev/null >&2
    exit 1
  fi
  sleep 0.5
done
echo "MLflow server did not answer /health within 120 s; its log:" >&2
tail -50 "$DIR/server.log" >&2
kill -- "-$PID" 2>/dev/null || true
exit 1
