#!/usr/bin/env bash
# The whole test suite, as `make test` runs it: bootstrap, type-check, lint, Jest (against a real
# Ray head, MLflow server and PostgreSQL), pytest for runtime/, and the browser test.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/env.sh"
cd "$MLOPS_ROOT"

step() { printf '\n=== %s\n' "$*"; }

step "bootstrap"
bash scripts/bootstrap.sh

step "type-check (tsc)"
yarn tsc

step "lint"
yarn backstage-cli repo lint

# Ray and MLflow for the Jest tests, in a throwaway state folder on ports of their own.
TEST_DATA="$(mktemp -d /tmp/mlops-test.XXXXXX)"
stack_pid=""
stop_stack() {
  if [ -n "$stack_pid" ] && kill -0 "$stack_pid" 2>/dev/null; then
    kill -TERM "$stack_pid"
    wait "$stack_pid" || true
  fi
  rm -rf "$TEST_DATA"
}
trap stop_stack EXIT

step "start Ray and MLflow for the tests"
MLOPS_DATA="$TEST_DATA" MLOPS_MLFLOW_PORT=25000 MLOPS_RAY_DASHBOARD_PORT=28365 \
  MLOPS_RAY_GCS_PORT=26490 MLOPS_RAY_CLIENT_PORT=20101 MLOPS_RAY_AGENT_PORT=22465 \
  scripts/stack.sh --services mlflow,ray >"$TEST_DATA/stack.out" 2>&1 &
stack_pid=$!
for _ in $(seq 1 180); do
  [ -f "$TEST_DATA/stack.env" ] && break
  kill -0 "$stack_pid" 2>/dev/null || { cat "$TEST_DATA/stack.out"; exit 1; }
  sleep 1
done
[ -f "$TEST_DATA/stack.env" ] || { cat "$TEST_DATA/stack.out"; echo "test stack did not start" >&2; exit 1; }

step "jest"
run_jest() {
  (
    # stack.env describes the test stack; it stays in this subshell so that pytest below starts
    # its own Ray without the test stack's settings.
    set -a
    source "$TEST_DATA/stack.env"
    set +a
    CI=true \
      MLOPS_TEST_RAY_URL="$MLOPS_RAY_DASHBOARD_URL" \
      MLOPS_TEST_RAY_TOKEN="$(cat "$MLOPS_RAY_TOKEN_PATH")" \
      MLOPS_TEST_MLFLOW_URL="$MLOPS_MLFLOW_URL" \
      BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING="postgresql://postgres@127.0.0.1:5432" \
      yarn backstage-cli repo test "$@"
  )
}
# One Jest run per package: in a single run over all packages, on fresh clones, the workers that
# load the SQLite addon (better-sqlite3, Node 24) died with SIGSEGV before running a test; runs
# over one or a few packages never did.
for package in packages/* plugins/*; do
  if [ -n "$(find "$package/src" -name '*.test.ts*' 2>/dev/null | head -1)" ]; then
    run_jest "$package/"
  fi
done

stop_stack
trap - EXIT

step "pytest (runtime/)"
"$MLOPS_VENV/bin/python" -m pytest runtime -q

step "browser test"
bash scripts/e2e.sh
