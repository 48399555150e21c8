#!/usr/bin/env bash
# Browser test of the whole portal: starts the embedded stack (MLflow, Ray, backend, app) on a
# throwaway state folder, runs e2e/portal.e2e.mjs in headless Chromium (Debian's `chromium`,
# driven by playwright-core; installed with apt-get if missing), then always stops the stack.
# Exits with the test's status.
#
#   scripts/e2e.sh
#
# Environment:
#   MLOPS_E2E_DATA           state folder of the test stack (default: a new mktemp -d folder)
#   MLOPS_E2E_STACK_TIMEOUT  seconds to wait for the stack to be ready (default 900: the backend
#                            and the app dev server compile on first start)
#   MLOPS_E2E_SCREENSHOTS    where the test saves a screenshot per page (default $data/e2e)
#   MLOPS_CHROMIUM           the browser (default /usr/bin/chromium)
#   MLOPS_E2E_SERVE_PORT     Ray Serve's HTTP port for the deployment step (default 8000)
# The stack uses the default ports (scripts/lib/env.sh); one that is taken is replaced by a free one.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# A state folder of its own: never the developer's .data (or a stack already running on it).
if [ -n "${MLOPS_E2E_DATA:-}" ]; then
  mkdir -p "$MLOPS_E2E_DATA"
  data="$(cd "$MLOPS_E2E_DATA" && pwd)"
  throwaway=0
else
  data="$(mktemp -d "${TMPDIR:-/tmp}/mlops-e2e.XXXXXX")"
  throwaway=1
fi
export MLOPS_DATA="$data"
source "$here/lib/env.sh"
source "$here/lib/chromium.sh"

say() { echo "e2e: $*"; }
fail() {
  echo "e2e: $*" >&2
  exit 1
}

[ -d "$MLOPS_ROOT/node_modules/playwright-core" ] ||
  fail "playwright-core is not installed; run scripts/bootstrap.sh (yarn install) first"
[ -x "$MLOPS_VENV/bin/python" ] || fail "the Python environment is missing; run scripts/bootstrap.sh first"
ensure_chromium || fail "no Chromium to run the browser test with (see above)"

# Keep the default ports where they are free; otherwise take a free one from the OS (ephemeral
# ports, outside Ray's worker range 10002-19999).
pick_ports() {
  "$MLOPS_VENV/bin/python" - "$@" <<'EOF'
import os, socket, sys
taken = set()
for var in sys.argv[1:]:
    port = int(os.environ[var])
    def free(p):
        with socket.socket() as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind(("127.0.0.1", p))
            except OSError:
                return False
        return True
    if port in taken or not free(port):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            new = s.getsockname()[1]
        print(f"e2e: port {port} ({var}) is taken; using {new}", file=sys.stderr)
        port = new
    taken.add(port)
    print(f"export {var}={port}")
EOF
}
# Ray Serve's HTTP proxy, the inference endpoint that the deployment step calls from the browser:
# Serve's default 8000 unless another Serve (a developer's stack with a deployed model) holds it.
# The serving backend starts Serve on the cluster with mlops.serving.serveHttp.port.
export MLOPS_E2E_SERVE_PORT="${MLOPS_E2E_SERVE_PORT:-8000}"
eval "$(pick_ports MLOPS_APP_PORT MLOPS_BACKEND_PORT MLOPS_MLFLOW_PORT MLOPS_RAY_DASHBOARD_PORT \
  MLOPS_RAY_GCS_PORT MLOPS_RAY_CLIENT_PORT MLOPS_RAY_AGENT_PORT MLOPS_E2E_SERVE_PORT \
  MLOPS_PROMETHEUS_PORT MLOPS_BACKEND_METRICS_PORT MLOPS_N8N_PORT MLOPS_N8N_RUNNER_PORT)"
export APP_CONFIG_mlops_serving_serveHttp_port="$MLOPS_E2E_SERVE_PORT"

stack_out="$data/stack.out"
stack_pid=""
# Ray's temp dir lives outside the state folder (/tmp/mlops-ray-<id>): remove it afterwards too.
ray_temp_dir="$(cd "$MLOPS_ROOT/scripts/lib" && "$MLOPS_VENV/bin/python" -c \
  'import stack; print(stack.Config.from_env().ray_temp_dir)' 2>/dev/null || true)"
test_status=1

stop_stack() {
  [ -n "$stack_pid" ] || return 0
  if kill -0 "$stack_pid" 2>/dev/null; then
    say "stopping the stack (pid $stack_pid)"
    kill -TERM "$stack_pid" 2>/dev/null || true
    # The supervisor stops each service within ~20 s, then kills what is left.
    local waited=0
    while kill -0 "$stack_pid" 2>/dev/null && [ "$waited" -lt 180 ]; do
      sleep 1
      waited=$((waited + 1))
    done
    if kill -0 "$stack_pid" 2>/dev/null; then
      say "the stack did not stop within 180 s; killing its supervisor (its services get SIGTERM)"
      kill -KILL "$stack_pid" 2>/dev/null || true
    fi
  fi
  wait "$stack_pid" 2>/dev/null || true
  stack_pid=""
}

cleanup() {
  local status=$?
  trap - EXIT INT TERM HUP
  set +e
  stop_stack
  if [ "$throwaway" = 1 ]; then
    # Unique to this run's fresh state folder, so nobody else's.
    [ -n "$ray_temp_dir" ] && [ -d "$ray_temp_dir" ] && rm -rf "$ray_temp_dir"
    rm -f "$data/logs/ray-session" # a link into it
    # Keep what a human wants to look at: the screenshots and the service logs.
    find "$data" -mindepth 1 -maxdepth 1 ! -name e2e ! -name logs ! -name stack.out \
      -exec rm -rf {} + 2>/dev/null || true
  fi
  [ -d "${MLOPS_E2E_SCREENSHOTS:-$data/e2e}" ] && say "screenshots: ${MLOPS_E2E_SCREENSHOTS:-$data/e2e}"
  say "stack output: $stack_out; service logs: $data/logs"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

say "state folder $data"
say "starting the stack (the backend and the app compile on first start; this takes minutes)"
started=$SECONDS
# stack.sh execs the Python supervisor, so $! is the supervisor itself. setsid keeps it out of the
# terminal's process group: Ctrl-C reaches this script only, which then stops the stack once.
setsid=""
command -v setsid >/dev/null && setsid="setsid"
$setsid "$MLOPS_ROOT/scripts/stack.sh" >"$stack_out" 2>&1 </dev/null &
stack_pid=$!

timeout_s="${MLOPS_E2E_STACK_TIMEOUT:-900}"
shown=0
while :; do
  # Echo the supervisor's progress lines as they come.
  total=$(wc -l <"$stack_out")
  if [ "$total" -gt "$shown" ]; then
    sed -n "$((shown + 1)),${total}p" "$stack_out" | sed 's/^/  | /'
    shown=$total
  fi
  if [ -f "$data/stack.env" ] && grep -q '^stack: ready in' "$stack_out"; then
    break
  fi
  if ! kill -0 "$stack_pid" 2>/dev/null; then
    wait "$stack_pid" && rc=0 || rc=$?
    stack_pid=""
    echo "e2e: the stack exited (code $rc) before it was ready. Last lines of its output:" >&2
    tail -n 60 "$stack_out" | sed 's/^/  | /' >&2
    exit 1
  fi
  if [ $((SECONDS - started)) -ge "$timeout_s" ]; then
    echo "e2e: the stack was not ready within ${timeout_s}s (MLOPS_E2E_STACK_TIMEOUT)." >&2
    for log in "$data"/logs/*.log; do
      [ -f "$log" ] || continue
      echo "e2e: last lines of $log:" >&2
      tail -n 20 "$log" | sed 's/^/  | /' >&2
    done
    exit 1
  fi
  sleep 2
done
say "stack ready after $((SECONDS - started))s"

# The URLs and ports the stack actually uses.
set -a
# shellcheck disable=SC1091
source "$data/stack.env"
set +a
ray_temp_dir="${MLOPS_RAY_TEMP_DIR:-$ray_temp_dir}"

export MLOPS_E2E_SCREENSHOTS="${MLOPS_E2E_SCREENSHOTS:-$data/e2e}"
say "running e2e/portal.e2e.mjs against $MLOPS_PORTAL_URL"
test_started=$SECONDS
set +e
node --test-reporter=spec "$MLOPS_ROOT/e2e/portal.e2e.mjs"
test_status=$?
set -e
say "browser test finished in $((SECONDS - test_started))s with status $test_status"
if [ "$test_status" -eq 0 ]; then
  # The browser test trained a model and sent an inference: now every Grafana panel and alert
  # rule in deploy/monitoring must return series from the stack's Prometheus (the last requests'
  # series take up to ~30 s to arrive, hence --wait). The stack stops on exit (cleanup).
  say "checking the dashboards and alert rules against $MLOPS_PROMETHEUS_URL"
  set +e
  "$MLOPS_VENV/bin/python" "$MLOPS_ROOT/scripts/check_monitoring.py" \
    --prometheus "$MLOPS_PROMETHEUS_URL" --wait 90
  test_status=$?
  set -e
fi
if [ "$test_status" -eq 0 ]; then
  # Every route of the OpenAPI-first plugins, fuzzed by schemathesis as the signed-in guest, with
  # generated ids and with real ones: a deployment of the model the browser test trained (with a
  # key and a drift monitor, made and removed by the fuzzer), its cluster and its training job.
  # No 5xx, every answer as its spec says.
  say "fuzzing the OpenAPI routes on $MLOPS_BACKEND_URL"
  set +e
  "$MLOPS_VENV/bin/python" "$MLOPS_ROOT/scripts/fuzz_api.py" --backend "$MLOPS_BACKEND_URL" --prepare \
    --report-dir "$data/fuzz"
  test_status=$?
  set -e
fi
if [ "$test_status" -ne 0 ]; then
  say "last lines of the backend log:"
  tail -n 30 "$data/logs/backend.log" 2>/dev/null | sed 's/^/  | /' || true
fi
exit "$test_status"
