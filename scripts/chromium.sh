# shellcheck shell=bash
# Sourced by test.sh: the browser tests drive Debian's chromium (Playwright never downloads a browser here).
chromium_install() {
  export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
  if [[ -x /usr/bin/chromium ]]; then return; fi
  echo "==> Installing chromium from Debian packages (browser tests)"
  local sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
}
