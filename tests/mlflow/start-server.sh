#!/usr/bin/env bash
# Starts a real MLflow server on 127.0.0.1 (a free port, SQLite backend, fresh temp dir) and
# waits until /health answers. Prints `URI PID DIR` on stdout.
# Usage: start-server.sh VENV [WORKERS] [basic-auth]. Stop it with: kill -- -PID (the whole
# process group). With `basic-auth`, MLflow's built-in authentication app runs (users in
# $DIR/basic_auth.db, default permission READ); the admin is `admin` with the password in
# MLFLOW_AUTH_ADMIN_PASSWORD, which the caller sets.
set -euo pipefail
VENV=$(cd "$1" && pwd)
WORKERS=${2:-1}
APP=${3:-}
DIR=$(mktemp -d -t countersign-mlflow.XXXXXX)
PORT=$("$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
cd "$DIR"
APP_ARGS=()
if [ "$APP" = basic-auth ]; then
  : "${MLFLOW_AUTH_ADMIN_PASSWORD:?set MLFLOW_AUTH_ADMIN_PASSWORD for the basic-auth admin}"
  printf '[mlflow]\ndefault_permission = READ\ndatabase_uri = sqlite:///%s/basic_auth.db\nadmin_username = admin\nauthorization_function = mlflow.server.auth:authenticate_request_basic_auth\nauth_cache_ttl_seconds = 600\n' "$DIR" > "$DIR/basic_auth.ini"
  export MLFLOW_AUTH_CONFIG_PATH=$DIR/basic_auth.ini
  MLFLOW_FLASK_SERVER_SECRET_KEY=$("$VENV/bin/python" -c 'import secrets; print(secrets.token_hex(16))')
  export MLFLOW_FLASK_SERVER_SECRET_KEY
  APP_ARGS=(--app-name basic-auth)
elif [ -n "$APP" ]; then
  echo "unknown app '$APP' (only basic-auth)" >&2
  exit 2
fi
# Its own process group (setsid), so that `kill -- -PID` stops the workers and job runners too.
setsid "$VENV/bin/mlflow" server --host 127.0.0.1 --port "$PORT" --workers "$WORKERS" "${APP_ARGS[@]}" \
  --backend-store-uri "sqlite:///$DIR/mlflow.db" --artifacts-destination "$DIR/artifacts" \
  > "$DIR/server.log" 2>&1 < /dev/null &
PID=$!
for _ in $(seq 1 240); do
  if curl -fsS "http://127.0.0.1:$PORT/health" >/dev/null 2>&1; then
    echo "http://127.0.0.1:$PORT $PID $DIR"
    exit 0
  fi
  if ! kill -0 "$PID" 2>/dev/null; then
    echo "MLflow server exited during start-up; its log:" >&2
    cat "$DIR/server.log" >&2
    exit 1
  fi
  sleep 0.5
done
echo "MLflow server did not answer /health within 120 s; its log:" >&2
tail -50 "$DIR/server.log" >&2
kill -- "-$PID" 2>/dev/null || true
exit 1
