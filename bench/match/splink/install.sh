#!/usr/bin/env bash
# Installs Splink (bench/match/splink/requirements.txt) into a venv in the pack's cache, the way
# sandbox/install/temporal-venv.ts installs the Temporal CLI: keyed by the requirements file's sha256, marked
# complete only as the last step, wiped and redone when the marker is missing. Prints the venv's python.
#   bench/match/splink/install.sh            # install if needed, print the interpreter
# Needs Python 3.10+ with venv as `python3` (or $TERMINAL_CRM_PYTHON) and PyPI (or the index pip is set to).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
req="$here/requirements.txt"
cache="${TERMINAL_CRM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/terminal-crm}"
key="$(sha256sum "$req" | cut -c1-12)"
dir="$cache/engines/splink-$key"
marker="$dir/.terminal-crm-complete"
python="$dir/venv/bin/python"
if [[ -f "$marker" && -x "$python" ]]; then
  echo "$python"
  exit 0
fi
py="${TERMINAL_CRM_PYTHON:-python3}"
lock="$cache/engines/.splink-$key.lock"
mkdir -p "$cache/engines"
exec 9>"$lock"
flock 9 # another bench installing the same pin: wait for it
if [[ -f "$marker" && -x "$python" ]]; then
  echo "$python"
  exit 0
fi
rm -rf "$dir"
mkdir -p "$dir"
log="$dir/install.log"
echo "splink: installing into $dir (log: $log)" >&2
if ! "$py" -m venv "$dir/venv" >>"$log" 2>&1; then
  echo "splink: could not create a venv with $py; install python3-venv (Debian: apt-get install -y python3-venv) or set TERMINAL_CRM_PYTHON. See $log" >&2
  exit 1
fi
if ! "$python" -m pip install --no-input --disable-pip-version-check --no-deps --only-binary=:all: -r "$req" >>"$log" 2>&1; then
  echo "splink: pip install failed; check that PyPI (or the index in \`pip config list\`) is reachable. See $log" >&2
  exit 1
fi
if ! "$python" -c 'import splink, duckdb; from splink import DuckDBAPI; print(splink.__version__)' >>"$log" 2>&1; then
  echo "splink: installed but does not import; see $log, then delete $dir and run again" >&2
  exit 1
fi
date -u +%FT%TZ >"$marker"
echo "$python"
