#!/usr/bin/env bash
# Fuzzes farmstream's GraphQL API with schemathesis: starts the server (debug
# build) on a scratch data folder with the seed data, then runs schemathesis
# over every query and mutation of schema.graphql, signed in as the seeded
# admin, as the seeded shopper, and anonymously, for a fixed number of
# examples with a fixed seed. Fails on any HTTP 5xx, any error whose
# extensions.code is INTERNAL (or missing), and any panic in the server log.
#
#   bash scripts/fuzz.sh                       # what CI runs
#   FARMSTREAM_FUZZ_EXAMPLES=200 FARMSTREAM_FUZZ_SEED=7 bash scripts/fuzz.sh
#   FARMSTREAM_FUZZ_ROLES=shopper bash scripts/fuzz.sh
#   FARMSTREAM_FUZZ_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test bash scripts/fuzz.sh
#       # on a scratch database farmstream_fuzz_<pid> made on that server, dropped after
#   FARMSTREAM_FUZZ_ARGS=--continue-on-failure bash scripts/fuzz.sh   # every failure, not one per operation
#
# The strategies for the scalars and the checks are in tests/fuzz/hooks.py.
# Reports (JUnit and an NDJSON event log per role) and the server log are
# kept in ${FARMSTREAM_FUZZ_REPORT_DIR:-$CARGO_TARGET_DIR/fuzz-report}.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/farmstream/target}"

EXAMPLES="${FARMSTREAM_FUZZ_EXAMPLES:-15}"
SEED="${FARMSTREAM_FUZZ_SEED:-20260612}"
ROLES="${FARMSTREAM_FUZZ_ROLES:-admin shopper anonymous}"
# A ceiling per role, so that a hung server cannot stall CI.
ROLE_TIMEOUT="${FARMSTREAM_FUZZ_ROLE_TIMEOUT_SECS:-600}"
REPORT_DIR="${FARMSTREAM_FUZZ_REPORT_DIR:-$CARGO_TARGET_DIR/fuzz-report}"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

cargo build --quiet --bin farmstream
SCHEMATHESIS="$(bash scripts/install-schemathesis.sh | tail -n 1)"
PY="$(dirname "$SCHEMATHESIS")/python"
BIN="$CARGO_TARGET_DIR/debug/farmstream"

rm -rf "$REPORT_DIR"
mkdir -p "$REPORT_DIR"
data=$(mktemp -d)
port=$(free_port)
url="http://127.0.0.1:$port/graphql"
export FARMSTREAM_DATA_DIR="$data"
export FARMSTREAM_LISTEN="127.0.0.1:$port"
export FARMSTREAM_EMBEDDED_S3_LISTEN="127.0.0.1:$(free_port)"
# Tokens must outlive the run (15 minutes by default).
export FARMSTREAM_ACCESS_TOKEN_TTL_SECS=7200
pg_db=""
if [ -n "${FARMSTREAM_FUZZ_POSTGRES_URL:-}" ]; then
  pg_db="farmstream_fuzz_$$"
  psql "$FARMSTREAM_FUZZ_POSTGRES_URL" -qc "create database $pg_db" >/dev/null
  export DATABASE_URL="${FARMSTREAM_FUZZ_POSTGRES_URL%/*}/$pg_db"
  # Required off the embedded defaults; throwaway ones for a throwaway server.
  FARMSTREAM_JWT_SECRET="$(python3 -c 'import secrets; print(secrets.token_hex(32))')"
  FARMSTREAM_BANK_WEBHOOK_SECRET="$(python3 -c 'import secrets; print(secrets.token_hex(32))')"
  export FARMSTREAM_JWT_SECRET FARMSTREAM_BANK_WEBHOOK_SECRET
fi
log="$REPORT_DIR/server.log"
cleanup() {
  if [ -n "${server:-}" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  if [ -n "$pg_db" ]; then
    psql "$FARMSTREAM_FUZZ_POSTGRES_URL" -qc "drop database if exists $pg_db with (force)" >/dev/null 2>&1 || true
  fi
  rm -rf "$data"
}
trap cleanup EXIT

"$BIN" seed >"$REPORT_DIR/seed.log" 2>&1 || { cat "$REPORT_DIR/seed.log" >&2; exit 1; }
# `farmstream seed` ends with "(password of every demo account: …)".
DEMO_PASSWORD="$(sed -n 's/.*password of every demo account: \(.*\))$/\1/p' "$REPORT_DIR/seed.log" | tail -n 1)"
[ -n "$DEMO_PASSWORD" ] || { cat "$REPORT_DIR/seed.log" >&2; echo "no demo password in farmstream seed's output" >&2; exit 1; }
"$BIN" serve >"$log" 2>&1 &
server=$!

for _ in $(seq 1 200); do
  curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { cat "$log" >&2; echo "farmstream exited before it was ready" >&2; exit 1; }
  sleep 0.1
done

"$PY" tests/fuzz/prepare.py "$url" admin@farmstream.vn "$DEMO_PASSWORD" "$data/admin" --ids
"$PY" tests/fuzz/prepare.py "$url" lan.nguyen@example.vn "$DEMO_PASSWORD" "$data/shopper"

status=0
for role in $ROLES; do
  headers=()
  case "$role" in
    admin | shopper) headers=(-H "Authorization: Bearer $(cat "$data/$role/token")") ;;
    anonymous) ;;
    *) echo "unknown role $role (FARMSTREAM_FUZZ_ROLES: admin, shopper, anonymous)" >&2; exit 2 ;;
  esac
  printf '\n-- schemathesis as %s: %s examples per operation, seed %s\n' "$role" "$EXAMPLES" "$SEED"
  started=$SECONDS
  # schemathesis keeps its crash files under ./.schemathesis: not in the clone.
  mkdir -p "$REPORT_DIR/$role"
  pushd "$REPORT_DIR/$role" >/dev/null
  # Only the hooks' checks: schemathesis's own not_a_server_error counts
  # every error with a path (FORBIDDEN, NOT_FOUND, CONFLICT…) as a server
  # error, and positive_data_acceptance every refusal of well-typed input,
  # which is how business rules answer.
  if ! FARMSTREAM_FUZZ_ROLE="$role" FARMSTREAM_FUZZ_FAILURES="$REPORT_DIR/failures.jsonl" \
    FARMSTREAM_FUZZ_IDS="$(cat "$data/admin/ids.json")" SCHEMATHESIS_HOOKS="$ROOT/tests/fuzz/hooks.py" \
    timeout --signal=INT --kill-after=30 "$ROLE_TIMEOUT" \
    "$SCHEMATHESIS" run "$ROOT/schema.graphql" --url "$url" "${headers[@]}" \
      --checks farmstream_no_server_error,farmstream_no_internal_error \
      --phases fuzzing \
      --max-examples "$EXAMPLES" --seed "$SEED" --generation-database none \
      --workers 1 --no-shrink --request-timeout 30 \
      --output-sanitize false --no-color \
      --report junit,ndjson --report-dir "$REPORT_DIR/$role" \
      ${FARMSTREAM_FUZZ_ARGS:-}; then
    status=1
  fi
  popd >/dev/null
  echo "-- $role: $((SECONDS - started)) s"
  if ! kill -0 "$server" 2>/dev/null; then
    echo "farmstream died while fuzzed as $role" >&2
    status=1
    break
  fi
done

if [ -s "$REPORT_DIR/failures.jsonl" ]; then
  printf '\n-- every failure, grouped (all of them: %s)\n' "$REPORT_DIR/failures.jsonl"
  "$PY" tests/fuzz/summary.py "$REPORT_DIR/failures.jsonl"
fi
if grep -n "panicked" "$log" >&2; then
  echo "the server log above shows a panic (full log: $log)" >&2
  status=1
fi
exit $status
