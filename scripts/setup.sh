#!/usr/bin/env bash
# Creates both locked environments from the one pyproject.toml:
#   .venv       the services (API, action server, channels, tests) on Python 3.12
#   .venv-rasa  the Rasa engine on Python 3.10
# Finds uv (or installs it into .tools/ from PyPI) and the two interpreters (pyenv, PATH, or
# uv's own managed Pythons where the machine can download them). Safe to run again: uv only
# changes what differs from uv.lock.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[setup] %s\n' "$*" >&2; }

find_uv() {
  if [ -x .tools/bin/uv ]; then echo .tools/bin/uv; return; fi
  if command -v uv >/dev/null 2>&1; then command -v uv; return; fi
  log "installing uv into .tools/ (from PyPI)"
  python3 -m venv .tools >&2
  .tools/bin/pip install --quiet --disable-pip-version-check "uv>=0.5,<1" >&2
  echo .tools/bin/uv
}

# Prints the path of a Python interpreter of the given minor version (e.g. 3.10), or nothing.
find_python() {
  local version=$1 prefix candidate
  if command -v pyenv >/dev/null 2>&1; then
    for candidate in $(pyenv versions --bare 2>/dev/null | grep -E "^${version//./\\.}(\.[0-9]+)?$" | sort -V -r); do
      prefix=$(pyenv prefix "$candidate" 2>/dev/null) || continue
      if [ -x "$prefix/bin/python$version" ]; then echo "$prefix/bin/python$version"; return; fi
    done
  fi
  for candidate in "python$version" "/usr/bin/python$version" "/usr/local/bin/python$version"; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import venv' 2>/dev/null; then
      command -v "$candidate"; return
    fi
  done
  # uv finds Pythons it manages itself; with internet it may also download one.
  "$UV" python find "$version" 2>/dev/null || { "$UV" python install "$version" >&2 && "$UV" python find "$version"; } || true
}

UV=$(find_uv)
PY_SERVICES=$(find_python 3.12)
PY_RASA=$(find_python 3.10)
[ -n "$PY_SERVICES" ] || { log "no Python 3.12 found (pyenv, PATH or uv); install one and run again"; exit 1; }
[ -n "$PY_RASA" ] || { log "no Python 3.10 found (pyenv, PATH or uv); install one and run again"; exit 1; }

export UV_PYTHON_DOWNLOADS=${UV_PYTHON_DOWNLOADS:-automatic}
log "services: $PY_SERVICES -> .venv"
"$UV" sync --locked --quiet --python "$PY_SERVICES"
log "rasa engine: $PY_RASA -> .venv-rasa"
UV_PROJECT_ENVIRONMENT=.venv-rasa "$UV" sync --locked --quiet --python "$PY_RASA" --no-default-groups --group rasa
log "environments ready"
