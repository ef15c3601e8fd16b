#!/usr/bin/env bash
# Installs moto's S3-compatible server (PyPI `moto[server]`) into a virtualenv,
# the second, independent S3 implementation the media tests run against.
# Idempotent: an existing venv whose moto_server runs is kept as it is.
#
#   bash scripts/install-moto.sh        # then: "$FARMSTREAM_MOTO_VENV/bin/moto_server" -H 127.0.0.1 -p PORT
#
# The venv lives at ${FARMSTREAM_MOTO_VENV:-$HOME/.cache/farmstream/moto-venv};
# the script prints the path of moto_server on its last line.
set -euo pipefail

VENV="${FARMSTREAM_MOTO_VENV:-$HOME/.cache/farmstream/moto-venv}"
MOTO_VERSION="${FARMSTREAM_MOTO_VERSION:-5.2.*}"
PYTHON="${PYTHON:-python3}"

if [ -x "$VENV/bin/moto_server" ] && "$VENV/bin/python" -c 'import moto.server, flask' 2>/dev/null; then
  echo "moto already installed in $VENV" >&2
else
  if ! "$PYTHON" -m venv --help >/dev/null 2>&1; then
    echo "python3 with the venv module is required (Debian: apt-get install python3-venv)" >&2
    exit 1
  fi
  mkdir -p "$(dirname "$VENV")"
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION"
fi
echo "$VENV/bin/moto_server"
