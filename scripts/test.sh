#!/usr/bin/env bash
# The whole test suite, as `make test` runs it: bootstrap, type-check, lint, Jest (against a real
# Ray head, MLflow server and PostgreSQL), pytest for runtime/, and the browser test.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/env.sh"
cd "$MLOPS_ROOT"

step() { printf '\n=== %s\n' "$*"; }

step "bootstrap"
bash scripts/bootstrap.sh
# Again, now that bootstrap may have installed Node 24 into .tools/: on a fresh clone the first
# source found no Node there, and the rest would run under the machine's older Node.
source scripts/lib/env.sh
[ "$(node -p 'process.versions.node.split(".")[0]')" -ge 22 ] ||
  { echo "test: node is $(node --version) at $(command -v node); Node 22+ is needed" >&2; exit 1; }

step "type-check (tsc)"
yarn tsc

step "lint"
yarn backstage-cli repo lint

# Ray, MLflow, Prometheus, an S3 server (moto) and n8n for the Jest tests, in a throwaway state
# folder, on ports of their own.
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

step "start Ray, MLflow, Prometheus, S3 and n8n for the tests"
MLOPS_DATA="$TEST_DATA" MLOPS_MLFLOW_PORT=25000 MLOPS_RAY_DASHBOARD_PORT=28365 \
  MLOPS_RAY_GCS_PORT=26490 MLOPS_RAY_CLIENT_PORT=20101 MLOPS_RAY_AGENT_PORT=22465 \
  MLOPS_S3_PORT=29000 MLOPS_PROMETHEUS_PORT=29090 MLOPS_BACKEND_METRICS_PORT=29464 \
  MLOPS_N8N_PORT=25678 MLOPS_N8N_RUNNER_PORT=25679 \
  scripts/stack.sh --services mlflow,prometheus,ray,s3,n8n >"$TEST_DATA/stack.out" 2>&1 &
stack_pid=$!
for _ in $(seq 1 180); do
  [ -f "$TEST_DATA/stack.env" ] && break
  kill -0 "$stack_pid" 2>/dev/null || { cat "$TEST_DATA/stack.out"; exit 1; }
  sleep 1
done
[ -f "$TEST_DATA/stack.env" ] || { cat "$TEST_DATA/stack.out"; echo "test stack did not start" >&2; exit 1; }

# The KubeRay CRDs the manifest tests validate against lie beside the repository
# (../shared/specs); a clone made elsewhere finds them beside the repository it was cloned from.
for root in "$MLOPS_ROOT" "$(git -C "$MLOPS_ROOT" config --get remote.origin.url || true)"; do
  if [ -n "$root" ] && [ -d "$root/../shared/specs" ]; then
    export MLOPS_SPECS_DIR="$(cd "$root/../shared/specs" && pwd)"
    break
  fi
done

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
      MLOPS_TEST_MLFLOW_USERNAME="$MLOPS_MLFLOW_USERNAME" \
      MLOPS_TEST_MLFLOW_PASSWORD="$(cat "$MLOPS_MLFLOW_PASSWORD_PATH")" \
      MLOPS_TEST_S3_URL="$MLOPS_S3_URL" \
      MLOPS_TEST_PROMETHEUS_URL="$MLOPS_PROMETHEUS_URL" \
      MLOPS_TEST_N8N_URL="$MLOPS_N8N_URL" \
      MLOPS_TEST_N8N_WEBHOOK_SECRET="$(cat "$MLOPS_N8N_WEBHOOK_SECRET_PATH")" \
      MLOPS_TEST_RABBITMQ_URL="amqp://guest:guest@127.0.0.1:5672" \
      BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING="postgresql://postgres@127.0.0.1:5432" \
      yarn backstage-cli repo test "$@"
  )
}
# The isolation test stops a whole real backend; Backstage's catalog and scaffolder may still
# publish an event just after, which fails ("Service is shutting down", an error without a stack)
# and which Jest charges to whatever test runs next in that worker. It runs in a Jest of its own.
ISOLATION_TEST='packages/backend/src/teamIsolation\.test\.ts$'
run_jest --testPathIgnorePatterns "$ISOLATION_TEST"
run_jest "$ISOLATION_TEST"

stop_stack
trap - EXIT

step "pytest (runtime/)"
"$MLOPS_VENV/bin/python" -m pytest runtime -q

step "monitoring: alert rules, Alertmanager and Grafana dashboards (static), and the checker's tests"
"$MLOPS_VENV/bin/python" scripts/check_monitoring.py
"$MLOPS_VENV/bin/python" -m pytest scripts/tests -q

step "browser test"
bash scripts/e2e.sh
