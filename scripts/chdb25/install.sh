#!/usr/bin/env bash
# Installs the chdb Python wheel that bundles ClickHouse 25.8 (the version Aspects deploys) into
# a private virtualenv, for the test that runs the project's SQL on 25.8 (test/clickhouse-25.test.ts).
# The npm engine the rest of the suite uses is a newer ClickHouse. Idempotent.
#
#   scripts/chdb25/install.sh              # venv in <repo>/.venv-chdb25
#   CHDB25_VENV=/some/dir scripts/chdb25/install.sh
#   CHDB25_PYTHON=python3.12 scripts/chdb25/install.sh
set -euo pipefail

# chdb 3.7.2 on PyPI bundles engine 25.8.2.1.
CHDB_VERSION=3.7.2
ENGINE_PREFIX=25.8.

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
venv=${CHDB25_VENV:-$root/.venv-chdb25}
marker=$venv/.xapi-db-load-chdb25
want="chdb==$CHDB_VERSION"

fail() {
  echo "scripts/chdb25/install.sh: $*" >&2
  exit 1
}

if [[ -x $venv/bin/python && -f $marker && "$(cat "$marker")" == "$want" ]]; then
  exit 0
fi

# shellcheck source=../find-python.sh
source "$here/../find-python.sh"
python=$(find_python "${CHDB25_PYTHON:-}")
[[ -n $python ]] || fail "no python3 found; install Python >= 3.9 or set CHDB25_PYTHON"

if [[ ! -x $venv/bin/python ]]; then
  "$python" -m venv "$venv" || fail "could not create a virtualenv at $venv with $python (is the venv module installed?)"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input "$want" \
  || fail "pip could not install $want into $venv"

engine=$("$venv/bin/python" -c 'import chdb; print(chdb.engine_version)') \
  || fail "$want installed into $venv but does not import"
[[ $engine == "$ENGINE_PREFIX"* ]] || fail "$want bundles ClickHouse $engine, expected $ENGINE_PREFIX*"

echo "$want" >"$marker"
echo "chdb $CHDB_VERSION (ClickHouse $engine) installed in $venv"
