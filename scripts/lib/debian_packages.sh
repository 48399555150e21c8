# Sourced by scripts that need a program from a Debian package (Chromium for the browser test,
# Prometheus for monitoring): installs the package with apt-get when the program is missing.

# ensure_debian_program PROGRAM PACKAGE [OVERRIDE_VARIABLE]
# Makes sure the executable PROGRAM exists, installing the Debian package PACKAGE when it does
# not (needs root or sudo). OVERRIDE_VARIABLE names the variable a user sets to use a program of
# their own instead. Returns non-zero with a message when it cannot.
ensure_debian_program() {
  local program="$1" package="$2" override="${3:-}"
  [ -x "$program" ] && return 0
  local how="apt-get install -y $package"
  [ -n "$override" ] && how="$how, or set $override to a $package binary"
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "$package: $program is missing and there is no apt-get to install it with ($how)." >&2
    return 1
  fi
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
      echo "$package: $program is missing; installing the \`$package\` package needs root. Run: $how" >&2
      return 1
    fi
    sudo="sudo"
  fi
  echo "$package: $program is missing; installing the \`$package\` package with apt-get"
  # policy-rc.d answering 101 keeps the package's init script from starting a system-wide
  # service (Prometheus on :9090): the scripts start their own, on their own ports.
  local policy=/usr/sbin/policy-rc.d added_policy=""
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null && $sudo chmod 755 "$policy" && added_policy=1
  fi
  local ok=1
  if ! $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq ||
    ! $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$package"; then
    ok=""
  fi
  [ -n "$added_policy" ] && $sudo rm -f "$policy"
  if [ -z "$ok" ]; then
    echo "$package: apt-get could not install the \`$package\` package (see above). Install it yourself ($how)." >&2
    return 1
  fi
  if [ ! -x "$program" ]; then
    echo "$package: the \`$package\` package is installed but $program is still missing" >&2
    return 1
  fi
}
