#!/usr/bin/env bash
# Starts a real MLflow server on 127.0.0.1 (a free port, SQLite backend, fresh temp dir) and
# waits until /health answers. Prints `URI PID DIR` on stdout.
# Usage: start-server.sh VENV [WORKERS]. Stop it with: kill -- -PID (the whole process group).
set -euo pipefail
VENV=$(cd "$1" && pwd)
WORKERS=${2:-1}
DIR=$(mktemp -d -t countersign-mlflow.XXXXXX)
PORT=$("$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
cd "$DIR"
# Its own process group (setsid), so that `kill -- -PID` stops the workers and job runners too.
setsid "$VENV/bin/mlflow" server --host 127.0.0.1 --port "$PORT" --workers "$WORKERS" \
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
