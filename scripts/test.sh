#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs what is missing, then runs mocha once.
# The last line printed is "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh || { echo "set-up failed"; echo "0 passed, 1 failed"; exit 1; }
if [ -f scripts/postgres.sh ]; then
  # shellcheck disable=SC1091
  source scripts/postgres.sh || echo "PostgreSQL could not be started; PostgreSQL tests will fail"
fi
set -a; source certs-test/out/env.sh; set +a
if [ $# -eq 0 ]; then
  set -- "packages/*/test/**/*.test.ts" "cli/test/**/*.test.ts" "service/test/**/*.test.ts" "test/**/*.test.ts"
fi
node_modules/.bin/mocha "$@"
