#!/usr/bin/env bash
# Proof that schema.graphql serves typed clients (issue 15): every operation
# of README.md validates and has a copy in tests/clients/operations/readme;
# graphql-codegen types the storefront's, the web admin's and the README's
# operations (tests/clients/operations) against schema.graphql; `tsc --strict`
# compiles the generated types with code that reads them (tests/clients/src).
# An operation that no longer validates, or a change that breaks what that
# code reads, fails. With --lint it runs the schema lint instead
# (tests/clients/lint): descriptions, Relay connections, one payload per
# mutation, no unbounded plain lists, no enum-like strings.
#
#   bash scripts/check-clients.sh          # codegen + tsc
#   bash scripts/check-clients.sh --lint   # the schema lint
#
# The npm packages (exact versions in tests/clients/package-lock.json) are
# installed with `npm ci` into ${FARMSTREAM_CLIENTS_NPM_DIR:-$HOME/.cache/farmstream/clients-npm},
# outside the clone, again only when the lock file changes;
# tests/clients/node_modules links there.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=codegen
case "${1:-}" in
  "") ;;
  --lint) mode=lint ;;
  *) echo "usage: $0 [--lint]" >&2; exit 2 ;;
esac

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "node 20 or later and npm are required (Debian: apt-get install nodejs npm)" >&2
  exit 1
fi
if [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 20 ]; then
  echo "node 20 or later is required, found $(node --version)" >&2
  exit 1
fi

dir=tests/clients
npm_dir="${FARMSTREAM_CLIENTS_NPM_DIR:-$HOME/.cache/farmstream/clients-npm}"
stamp="$(cat "$dir/package.json" "$dir/package-lock.json" | sha256sum | cut -d' ' -f1) $(node --version)"

if [ -d "$dir/node_modules" ] && [ ! -L "$dir/node_modules" ]; then
  # A developer's own `npm install` there: keep it, but make it match the lock.
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
else
  if [ "$(cat "$npm_dir/.installed" 2>/dev/null)" != "$stamp" ]; then
    mkdir -p "$npm_dir"
    cp "$dir/package.json" "$dir/package-lock.json" "$dir/.npmrc" "$npm_dir/"
    (cd "$npm_dir" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$stamp" >"$npm_dir/.installed"
  fi
  ln -sfn "$npm_dir/node_modules" "$dir/node_modules"
fi

if [ "$mode" = lint ]; then
  node "$dir/lint/lint-schema.mjs" schema.graphql
  exit
fi

node "$dir/readme-operations.mjs"
cd "$dir"
rm -rf generated
node_modules/.bin/graphql-codegen --config codegen.ts
echo "graphql-codegen: $(grep -c '^export type .*\(Query\|Mutation\|Subscription\) = ' generated/graphql.ts) operations typed from $(find operations -name '*.graphql' | wc -l) files"
node_modules/.bin/tsc --project tsconfig.json --strict
echo "tsc --strict: the generated client and src/*.ts compile"
