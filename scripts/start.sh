#!/usr/bin/env bash
# Installs what is missing (scripts/bootstrap.sh), then runs the stack in the foreground.
#   scripts/start.sh [--services mlflow,ray,backend,app]
set -euo pipefail
here="$(dirname "${BASH_SOURCE[0]}")"
"$here/bootstrap.sh"
exec "$here/stack.sh" "$@"
