# Sourced by scripts that drive a browser (scripts/e2e.sh). The browser is Debian's `chromium`
# package, driven by playwright-core with an explicit executablePath: Playwright never downloads one.

# The Chromium the browser tests use; override with MLOPS_CHROMIUM=/path/to/chromium.
export MLOPS_CHROMIUM="${MLOPS_CHROMIUM:-/usr/bin/chromium}"
# Belt and braces: playwright-core does not download browsers, but nothing here should ever try.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

source "$(dirname "${BASH_SOURCE[0]}")/debian_packages.sh"

# Makes sure $MLOPS_CHROMIUM exists, installing Debian's `chromium` package when it does not.
# Prints the browser's version. Returns non-zero with a message otherwise.
ensure_chromium() {
  if [ "$MLOPS_CHROMIUM" != /usr/bin/chromium ] && [ ! -x "$MLOPS_CHROMIUM" ]; then
    echo "chromium: MLOPS_CHROMIUM=$MLOPS_CHROMIUM is not an executable file" >&2
    return 1
  fi
  ensure_debian_program "$MLOPS_CHROMIUM" chromium MLOPS_CHROMIUM || return 1
  echo "chromium: using $MLOPS_CHROMIUM ($("$MLOPS_CHROMIUM" --version 2>/dev/null || echo 'version unknown'))"
}
