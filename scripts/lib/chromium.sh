# Sourced by scripts that drive a browser (scripts/e2e.sh). The browser is Debian's `chromium`
# package, driven by playwright-core with an explicit executablePath: Playwright never downloads one.

# The Chromium the browser tests use; override with MLOPS_CHROMIUM=/path/to/chromium.
export MLOPS_CHROMIUM="${MLOPS_CHROMIUM:-/usr/bin/chromium}"
# Belt and braces: playwright-core does not download browsers, but nothing here should ever try.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

# Makes sure $MLOPS_CHROMIUM exists, installing Debian's `chromium` package with apt-get when it
# does not (needs root). Prints the browser's version. Returns non-zero with a message otherwise.
ensure_chromium() {
  if [ -x "$MLOPS_CHROMIUM" ]; then
    echo "chromium: using $MLOPS_CHROMIUM ($("$MLOPS_CHROMIUM" --version 2>/dev/null || echo 'version unknown'))"
    return 0
  fi
  if [ "$MLOPS_CHROMIUM" != /usr/bin/chromium ]; then
    echo "chromium: MLOPS_CHROMIUM=$MLOPS_CHROMIUM is not an executable file" >&2
    return 1
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "chromium: $MLOPS_CHROMIUM is missing and there is no apt-get to install it with." \
      "Install the Debian/Ubuntu package \`chromium\` (or set MLOPS_CHROMIUM to a Chromium binary)." >&2
    return 1
  fi
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
      sudo="sudo"
    else
      echo "chromium: $MLOPS_CHROMIUM is missing; installing the \`chromium\` package needs root." \
        "Run: apt-get install -y chromium" >&2
      return 1
    fi
  fi
  echo "chromium: $MLOPS_CHROMIUM is missing; installing the \`chromium\` package with apt-get"
  if ! $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq ||
    ! $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; then
    echo "chromium: apt-get could not install the \`chromium\` package (see above)." \
      "Install it yourself (apt-get install chromium) or set MLOPS_CHROMIUM." >&2
    return 1
  fi
  if [ ! -x "$MLOPS_CHROMIUM" ]; then
    echo "chromium: the \`chromium\` package is installed but $MLOPS_CHROMIUM is still missing" >&2
    return 1
  fi
  echo "chromium: installed $("$MLOPS_CHROMIUM" --version 2>/dev/null)"
}
