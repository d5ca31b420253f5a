#!/usr/bin/env bash
# Installs the real Ralph LRS (PyPI `ralph-malph`) into a private virtualenv, for the tests that
# post statements to Ralph. Idempotent: a second run with the same pins does nothing.
#
#   scripts/ralph/install.sh            # venv in <repo>/.venv-ralph
#   RALPH_VENV=/some/dir scripts/ralph/install.sh
#   RALPH_PYTHON=python3.12 scripts/ralph/install.sh
#
# Version choice: 4.1.0 is the Ralph that Aspects deploys (image fundocker/ralph:4.1.0), so the
# tests exercise the same server code as the `container` target. Extras: `lrs` brings the API
# server (FastAPI, uvicorn, bcrypt). The filesystem backend needs no extra. `requests` is added by
# hand: ralph.api imports it (OIDC auth) but no extra declares it outside `backend-ldp`.
set -euo pipefail

RALPH_VERSION=4.1.0
RALPH_EXTRAS=lrs

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
venv=${RALPH_VENV:-$root/.venv-ralph}
constraints=$here/constraints.txt
marker=$venv/.xapi-db-load-ralph

fail() {
  echo "scripts/ralph/install.sh: $*" >&2
  exit 1
}

# What the venv must hold: the pins and the constraints file's content, so that editing either
# triggers a reinstall.
want="ralph-malph[$RALPH_EXTRAS]==$RALPH_VERSION $(sha256sum "$constraints" | cut -d' ' -f1)"

if [[ -x $venv/bin/python && -f $marker && "$(cat "$marker")" == "$want" ]] \
  && "$venv/bin/python" -c 'import ralph.backends.lrs.fs, uvicorn, bcrypt' 2>/dev/null; then
  exit 0
fi

# shellcheck source=../find-python.sh
source "$here/../find-python.sh"
python=$(find_python "${RALPH_PYTHON:-}")
[[ -n $python ]] || fail "no python3 found; install Python >= 3.9 or set RALPH_PYTHON"
"$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 9) else 1)' \
  || fail "$python is $("$python" -V 2>&1); Ralph $RALPH_VERSION needs Python >= 3.9"

rm -rf "$venv"
"$python" -m venv "$venv" || fail "could not create a virtualenv at $venv with $python (is the venv module installed?)"

"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
  --constraint "$constraints" \
  "ralph-malph[$RALPH_EXTRAS]==$RALPH_VERSION" requests \
  || fail "pip could not install ralph-malph[$RALPH_EXTRAS]==$RALPH_VERSION into $venv"

"$venv/bin/python" -c 'import ralph.backends.lrs.fs, uvicorn, bcrypt, requests' \
  || fail "ralph-malph installed into $venv but does not import"

echo "$want" >"$marker"
echo "Ralph $RALPH_VERSION installed in $venv"
