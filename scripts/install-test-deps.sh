#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh Debian 12 machine (run as root, or with sudo
# available). Idempotent: a second run only checks what is already there.
#
#   Debian packages : WebKitGTK 4.1 (Tauri), Xvfb + WebKitWebDriver (desktop E2E), tmux (real
#                     terminal test), poppler-utils + qpdf (PDF checks), openssh-client (ssh-keygen),
#                     postgresql (the server binaries for MLflow over PostgreSQL; its own cluster
#                     is never used: tests/mlflow/start-server.sh makes one in a temp dir)
#   Python          : a virtualenv in .venv-mlflow with a pinned `mlflow[auth]` (real MLflow server,
#                     and its basic-auth app for the authenticated-server tests) and
#                     `psycopg2-binary` (MLflow's PostgreSQL driver)
#                     and a second one in .venv-mlflow2 with MLflow 2.x (`sqlalchemy<2.1`, which
#                     2.22 needs) for the tests against an MLflow 2 server
#   Rust            : tauri-driver 2.x and cargo-fuzz into .tools/bin
#   npm             : the desktop front end's pinned packages (ui/package-lock.json)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

MLFLOW_VERSION=3.17.2
MLFLOW2_VERSION=2.22.5
TAURI_DRIVER_VERSION=2.1.0
CARGO_FUZZ_VERSION=0.13.1
PSYCOPG2_VERSION=2.9.11

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

log() { printf '\n==> %s\n' "$*"; }

apt_packages=(
  libwebkit2gtk-4.1-dev build-essential pkg-config libssl-dev
  xvfb xauth webkit2gtk-driver fonts-dejavu-core fonts-wqy-microhei
  tmux poppler-utils qpdf openssh-client curl python3-venv unzip postgresql
)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "Installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq -o DPkg::Lock::Timeout=600 --no-install-recommends "${missing[@]}" >/dev/null
else
  log "Debian packages present"
fi

VENV=$ROOT/.venv-mlflow
if [ ! -x "$VENV/bin/mlflow" ] || ! "$VENV/bin/python" -c "import mlflow,sys,flask_wtf; sys.exit(mlflow.__version__ != '$MLFLOW_VERSION')" 2>/dev/null; then
  log "Creating the MLflow virtualenv ($VENV, mlflow[auth]==$MLFLOW_VERSION)"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --upgrade pip
  "$VENV/bin/pip" install -q "mlflow[auth]==$MLFLOW_VERSION"
else
  log "MLflow $MLFLOW_VERSION present in $VENV"
fi
if ! "$VENV/bin/python" -c "import psycopg2,sys; sys.exit(not psycopg2.__version__.startswith('$PSYCOPG2_VERSION '))" 2>/dev/null; then
  log "Installing psycopg2-binary==$PSYCOPG2_VERSION into $VENV"
  "$VENV/bin/pip" install -q "psycopg2-binary==$PSYCOPG2_VERSION"
fi

VENV2=$ROOT/.venv-mlflow2
if [ ! -x "$VENV2/bin/mlflow" ] || ! "$VENV2/bin/python" -c "import mlflow,sys; sys.exit(mlflow.__version__ != '$MLFLOW2_VERSION')" 2>/dev/null; then
  log "Creating the MLflow 2 virtualenv ($VENV2, mlflow==$MLFLOW2_VERSION)"
  python3 -m venv "$VENV2"
  "$VENV2/bin/pip" install -q --upgrade pip
  "$VENV2/bin/pip" install -q "mlflow==$MLFLOW2_VERSION" "sqlalchemy<2.1"
else
  log "MLflow $MLFLOW2_VERSION present in $VENV2"
fi

TOOLS=$ROOT/.tools
if [ ! -x "$TOOLS/bin/tauri-driver" ]; then
  log "Installing tauri-driver $TAURI_DRIVER_VERSION into $TOOLS"
  cargo install tauri-driver --version "$TAURI_DRIVER_VERSION" --locked --root "$TOOLS" -q
else
  log "tauri-driver present"
fi
if [ ! -x "$TOOLS/bin/cargo-fuzz" ]; then
  log "Installing cargo-fuzz $CARGO_FUZZ_VERSION into $TOOLS"
  cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked --root "$TOOLS" -q
else
  log "cargo-fuzz present"
fi

if [ -f ui/package-lock.json ]; then
  if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
    log "Installing the desktop front end's npm packages"
    (cd ui && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi
log "Test dependencies ready"
