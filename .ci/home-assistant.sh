# shellcheck shell=bash
# A real Home Assistant on loopback for agentkit's integration tests.
#
# Source this file, then:
#
#     source .ci/home-assistant.sh
#     ha_stop_on_exit     # stop hass by PID on every exit path (EXIT, INT, TERM)
#     ha_start            # install (or reuse) HA, start it, onboard, export HA_URL/HA_TOKEN
#
# ha_start installs homeassistant into its OWN venv (never the project's), pinned with
# HA's package_constraints.txt, pre-installs what HA would pip-install at first start and
# runs `hass --skip-pip`, so after the install nothing leaves loopback. It writes a config
# with only `api:`, `demo:` (101 demo entities: light.bed_light, climate.heatpump, ...) and
# one scene over demo entities (scene.agentkit_evening),
# picks a free port on 127.0.0.1, onboards headlessly (REST user step only, never
# core_config), mints a long-lived token over the WebSocket API, waits for core state
# RUNNING and exports HA_URL and HA_TOKEN. The token is never printed.
#
# Knobs (environment): HA_VERSION (2024.3.3, the last release for Python 3.11),
# HA_PYTHON (python3), HA_VENV, HA_CONFIG, HA_PORT (default: a free port), HA_LOGDIR.
# Run directly (`bash .ci/home-assistant.sh check`) to start, print HA_URL, and stop.

HA_VERSION=${HA_VERSION:-2024.3.3}
HA_PYTHON=${HA_PYTHON:-python3}
HA_VENV=${HA_VENV:-${TMPDIR:-/tmp}/agentkit-ha-venv-$HA_VERSION}
HA_CONFIG=${HA_CONFIG:-${TMPDIR:-/tmp}/agentkit-ha-config}
HA_LOGDIR=${HA_LOGDIR:-${TMPDIR:-/tmp}/agentkit-ha-logs}
_HA_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
HA_PID=${HA_PID:-}

# What HA 2024.3.3 would pip-install at first start for this config ("Attempting install
# of ..." in its log): frontend, default integrations, conversation, demo camera/tts.
_HA_RUNTIME_REQS=(
  "SQLAlchemy==2.0.27" "fnv-hash-fast==0.5.0" "psutil-home-assistant==0.0.1"
  "Pillow==10.2.0" "janus==1.0.0" "home-assistant-frontend==20240307.0"
  "hassil==1.6.1" "home-assistant-intents==2024.3.12" "securetar==2024.2.1"
  "PyTurboJPEG==1.7.1" "ha-ffmpeg==3.1.0" "mutagen==1.47.0"
  # acme 2.8.0 (via hass-nabucasa) uses josepy.ComparableX509, which josepy 2.x
  # removed; unpinned, every HTTP request answers 500.
  "josepy<2"
)

_ha_log() { echo "[home-assistant $(date +%T)] $*" >&2; }

# Installs HA into $HA_VENV unless it already holds the pinned version.
ha_install() {
  mkdir -p "$HA_LOGDIR"
  if [[ -x "$HA_VENV/bin/hass" ]] \
    && [[ "$("$HA_VENV/bin/hass" --version 2>/dev/null)" == "$HA_VERSION" ]]; then
    _ha_log "reusing $HA_VENV (homeassistant $HA_VERSION)"
    return 0
  fi
  _ha_log "installing homeassistant $HA_VERSION into $HA_VENV (about a minute)"
  rm -rf "$HA_VENV"
  "$HA_PYTHON" -m venv "$HA_VENV" || return 1
  "$HA_VENV/bin/pip" install -q --upgrade pip wheel || return 1
  local dl
  dl=$(mktemp -d "${TMPDIR:-/tmp}/ha-wheel.XXXXXX")
  "$HA_VENV/bin/pip" download -q --no-deps -d "$dl" "homeassistant==$HA_VERSION" || return 1
  # HA ships the exact pins it is tested with; without them pip backtracks through the
  # bluetooth libraries and installs versions HA never saw.
  "$HA_VENV/bin/python" - "$dl" "$HA_VENV/ha-constraints.txt" <<'PY' || return 1
import glob, sys, zipfile
whl = glob.glob(sys.argv[1] + "/homeassistant-*.whl")[0]
with zipfile.ZipFile(whl) as z:
    data = z.read("homeassistant/package_constraints.txt")
open(sys.argv[2], "wb").write(data)
PY
  rm -rf "$dl"
  if ! "$HA_VENV/bin/pip" install -q -c "$HA_VENV/ha-constraints.txt" \
    "homeassistant==$HA_VERSION" "${_HA_RUNTIME_REQS[@]}" >"$HA_LOGDIR/pip-install.log" 2>&1; then
    tail -30 "$HA_LOGDIR/pip-install.log" >&2
    rm -rf "$HA_VENV"
    return 1
  fi
}

_ha_free_port() {
  "$HA_PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

_ha_write_config() {
  mkdir -p "$HA_CONFIG"
  cat >"$HA_CONFIG/configuration.yaml" <<YAML
homeassistant:
  name: agentkit CI Home
  latitude: 52.37
  longitude: 4.89
  elevation: 0
  unit_system: metric
  time_zone: UTC
  country: NL
  currency: EUR
logger:
  default: warning
  logs:
    homeassistant.bootstrap: info
http:
  server_host: 127.0.0.1
  server_port: $1
api:
demo:
scene:
  - name: Agentkit evening
    entities:
      light.bed_light: "off"
      light.ceiling_lights:
        state: "on"
        brightness: 60
      switch.decorative_lights: "off"
YAML
}

# Installs (or reuses), starts hass, onboards, exports HA_URL and HA_TOKEN.
ha_start() {
  if [[ -n "$HA_PID" ]] && kill -0 "$HA_PID" 2>/dev/null; then
    _ha_log "already running (PID $HA_PID) at ${HA_URL:-?}"
    return 0
  fi
  ha_install || { _ha_log "install failed (log: $HA_LOGDIR/pip-install.log)"; return 1; }
  local port=${HA_PORT:-$(_ha_free_port)}
  if "$HA_PYTHON" -c 'import socket,sys; s=socket.socket(); sys.exit(s.connect_ex(("127.0.0.1", int(sys.argv[1]))) != 0)' "$port"; then
    _ha_log "port $port is already in use"
    return 1
  fi
  _ha_write_config "$port"
  # A plain `cmd &` so that $! is hass itself, not a subshell (killing a subshell would
  # orphan hass and leave the port taken).
  "$HA_VENV/bin/hass" -c "$HA_CONFIG" --skip-pip --log-file "$HA_LOGDIR/hass.log" \
    >"$HA_LOGDIR/hass.stdout" 2>&1 &
  HA_PID=$!
  export HA_PID
  _ha_log "hass started, PID $HA_PID, port $port"
  local token
  if ! token=$("$HA_VENV/bin/python" "$_HA_HERE/ha_onboard.py" \
    "http://127.0.0.1:$port" "$HA_CONFIG/agentkit_ci_token" "$HA_PID"); then
    _ha_log "onboarding failed; last lines of $HA_LOGDIR/hass.stdout:"
    tail -30 "$HA_LOGDIR/hass.stdout" >&2
    ha_stop
    return 1
  fi
  export HA_URL="http://127.0.0.1:$port"
  export HA_TOKEN="$token"
  _ha_log "RUNNING: HA_URL=$HA_URL (HA_TOKEN exported, not shown)"
  echo "HA_URL=$HA_URL"
}

# Stops hass by PID: SIGTERM, then SIGKILL after 30 s. Safe to call twice.
ha_stop() {
  if [[ -n "$HA_PID" ]] && kill -0 "$HA_PID" 2>/dev/null; then
    _ha_log "stopping hass PID $HA_PID"
    kill -TERM "$HA_PID" 2>/dev/null || true
    local _
    for _ in $(seq 1 60); do kill -0 "$HA_PID" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$HA_PID" 2>/dev/null; then
      _ha_log "hass PID $HA_PID still alive after 30 s, SIGKILL"
      kill -KILL "$HA_PID" 2>/dev/null || true
    fi
    wait "$HA_PID" 2>/dev/null || true
  fi
  HA_PID=""
  unset HA_URL HA_TOKEN
}

# Installs the traps that stop hass however the calling script ends. A plain
# `trap ha_stop EXIT` misses SIGINT/SIGTERM, which end bash without running EXIT traps
# unless they are trapped too; here they exit, and exiting runs the EXIT trap.
ha_stop_on_exit() {
  trap ha_stop EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  set -euo pipefail
  case "${1:-check}" in
    install) ha_install ;;
    check) ha_stop_on_exit; ha_start ;;
    *) echo "usage: bash .ci/home-assistant.sh [install|check]" >&2; exit 2 ;;
  esac
fi
