#!/usr/bin/env bash
# The whole test suite, on a fresh machine too: installs what the tests need,
# then checks formatting and clippy and runs every test target (offline:
# fixture sites on 127.0.0.1). .ci/run calls this script; so does a newcomer.
set -euo pipefail
cd "$(dirname "$0")/.."

# tests/report_html.rs renders report.html in headless Chromium (Debian's
# `chromium` package, /usr/bin/chromium).
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "scripts/test.sh: installing chromium (Debian package) for the report test" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "scripts/test.sh: /usr/bin/chromium is missing and cannot be installed here" >&2
    echo "  (needs root and apt-get). Install Debian's chromium package, e.g.:" >&2
    echo "    sudo apt-get install -y chromium" >&2
    exit 1
  fi
fi

cargo fmt --all -- --check
cargo clippy --all-targets -- -D warnings
cargo test --all-targets
