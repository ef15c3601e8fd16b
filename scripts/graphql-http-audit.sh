#!/usr/bin/env bash
# Starts farmstream on a scratch data folder and runs the GraphQL-over-HTTP
# audit suite (npm package graphql-http) against it.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/farmstream/target}"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

cargo build --quiet --bin farmstream
(cd tests/graphql-http && npm ci --no-audit --no-fund --silent)

data=$(mktemp -d)
port=$(free_port)
FARMSTREAM_DATA_DIR="$data" \
FARMSTREAM_LISTEN="127.0.0.1:$port" \
FARMSTREAM_EMBEDDED_S3_LISTEN="127.0.0.1:$(free_port)" \
  "$CARGO_TARGET_DIR/debug/farmstream" serve >"$data/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$data"' EXIT

for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  sleep 0.1
done
node tests/graphql-http/audit.mjs "http://127.0.0.1:$port/graphql"
