#!/usr/bin/env bash
# Installs schemathesis (PyPI), the property-based API fuzzer that
# scripts/fuzz.sh points at farmstream's GraphQL schema, into a virtualenv
# outside the clone. Idempotent: an existing venv with the pinned version is
# kept as it is.
#
#   bash scripts/install-schemathesis.sh   # then: "$FARMSTREAM_SCHEMATHESIS_VENV/bin/schemathesis" run …
#
# The venv lives at ${FARMSTREAM_SCHEMATHESIS_VENV:-$HOME/.cache/farmstream/schemathesis-venv};
# the script prints the path of the schemathesis command on its last line.
set -euo pipefail

VENV="${FARMSTREAM_SCHEMATHESIS_VENV:-$HOME/.cache/farmstream/schemathesis-venv}"
# Pinned: generated inputs follow the seed only for one version of
# schemathesis and hypothesis, so CI reruns the same cases until bumped here.
SCHEMATHESIS_VERSION="${FARMSTREAM_SCHEMATHESIS_VERSION:-4.32.5}"
PYTHON="${PYTHON:-python3}"

installed() {
  [ -x "$VENV/bin/schemathesis" ] &&
    "$VENV/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('schemathesis') != '$SCHEMATHESIS_VERSION')" 2>/dev/null
}

if installed; then
  echo "schemathesis $SCHEMATHESIS_VERSION already installed in $VENV" >&2
else
  if ! "$PYTHON" -m venv --help >/dev/null 2>&1; then
    echo "python3 with the venv module is required (Debian: apt-get install python3-venv)" >&2
    exit 1
  fi
  mkdir -p "$(dirname "$VENV")"
  "$PYTHON" -m venv --clear "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
  installed || { echo "schemathesis $SCHEMATHESIS_VERSION did not install into $VENV" >&2; exit 1; }
fi
echo "$VENV/bin/schemathesis"
