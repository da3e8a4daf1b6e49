# Sourced by scripts/demo and scripts/test: make .venv (once) and install agentkit into it.
# AGENTKIT_VENV overrides the location.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${AGENTKIT_VENV:-$ROOT/.venv}"
PY="${PYTHON:-python3}"
if [ ! -x "$VENV/bin/python" ]; then
    echo "==> creating $VENV" >&2
    "$PY" -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --upgrade pip >&2
fi
pip_install() {
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "$@" >&2
}
