#!/usr/bin/env bash
# Creates .venv with the newest CPython >= 3.12 found and installs amtsweg with the pinned versions.
# Usage: scripts/bootstrap-venv.sh [extra]   (extra: "test" installs the test tools too)
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv
EXTRA=${1:-}

usable() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; }
version_of() { "$1" -c 'import sys; print("%d%03d" % sys.version_info[:2])'; }

find_python() {
  local candidates=() best="" best_version=0 candidate version root
  for name in python3.14 python3.13 python3.12 python3; do
    command -v "$name" >/dev/null 2>&1 && candidates+=("$(command -v "$name")")
  done
  # pyenv keeps 3.12/3.13 here even when its global version is older and the shims refuse to run.
  if command -v pyenv >/dev/null 2>&1 && root=$(pyenv root 2>/dev/null); then
    for candidate in "$root"/versions/3.1[2-9]*/bin/python3; do [ -x "$candidate" ] && candidates+=("$candidate"); done
  fi
  for candidate in "${candidates[@]}"; do
    if usable "$candidate"; then
      version=$(version_of "$candidate")
      if [ "$version" -gt "$best_version" ]; then best=$candidate; best_version=$version; fi
    fi
  done
  echo "$best"
}

if [ -x "$VENV/bin/python" ] && usable "$VENV/bin/python"; then
  :
else
  PYTHON=$(find_python)
  if [ -z "$PYTHON" ]; then
    echo "amtsweg: kein Python >= 3.12 gefunden. Bitte installieren (Debian 13: apt install python3 python3-venv; sonst z. B. pyenv install 3.13)." >&2
    exit 2
  fi
  rm -rf "$VENV"
  if ! "$PYTHON" -m venv "$VENV" 2>/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
      "$PYTHON" -m venv "$VENV"
    else
      echo "amtsweg: $PYTHON kann keine virtuelle Umgebung anlegen. Bitte python3-venv installieren (sudo apt install python3-venv)." >&2
      exit 2
    fi
  fi
  echo "amtsweg: virtuelle Umgebung mit $("$VENV/bin/python" --version) angelegt."
fi

SPEC="."
[ -n "$EXTRA" ] && SPEC=".[$EXTRA]"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -c constraints.txt -e "$SPEC"
