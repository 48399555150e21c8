#!/usr/bin/env bash
# Starts the embedded stack on loopback (MLflow, a local Ray head, the Backstage backend and app),
# waits until each is healthy, prints the URLs, and stops everything on Ctrl-C, SIGTERM or when any
# service dies. Logs: $MLOPS_DATA/logs/<service>.log. While it is up, $MLOPS_DATA/stack.env holds
# the ports, URLs and Ray client settings for other scripts.
#
#   scripts/stack.sh [--services mlflow,ray,backend,app]
#
# The supervisor is Python (scripts/lib/stack.py): it must react to signals while it waits on health
# checks, manage process groups, and find stray Ray processes in /proc, which bash does poorly.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/env.sh"

python="$MLOPS_VENV/bin/python"
[ -x "$python" ] || python="$(command -v python3 || true)"
if [ -z "$python" ]; then
  echo "stack: Python 3 is needed; run scripts/bootstrap.sh (or scripts/start.sh) first" >&2
  exit 1
fi
exec "$python" "$MLOPS_ROOT/scripts/lib/stack.py" "$@"
