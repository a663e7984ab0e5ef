#!/usr/bin/env bash
# The project's two set-up commands (see README):
#   ./dev.sh dashboard   set up (first time) and run the dashboard on the demo data
#   ./dev.sh test        set up (first time) and run the whole test suite
# Set-up is idempotent: a virtual environment in .venv, the CPU build of PyTorch first (so pip does
# not pull several GB of CUDA packages), then this package with its test extras, then the Debian
# packages the tests need (Chromium and CJK fonts for the browser test, the PostgreSQL server for the
# store's tests on a shared-server database) when running as root with apt-get.
set -euo pipefail
cd "$(dirname "$0")"

PYTHON=${PYTHON:-python3}
VENV=.venv
TORCH_SPEC=${TORCH_SPEC:-torch==2.13.0}

setup_python() {
    if [ ! -x "$VENV/bin/python" ]; then
        echo "==> creating $VENV"
        "$PYTHON" -m venv "$VENV"
        "$VENV/bin/python" -m pip install --quiet --upgrade pip
    fi
    local stamp="$VENV/.installed-$(sha1sum pyproject.toml | cut -c1-12)"
    if [ ! -f "$stamp" ]; then
        echo "==> installing $TORCH_SPEC (CPU build) and the matchmaker package"
        "$VENV/bin/python" -m pip install --quiet "$TORCH_SPEC"
        "$VENV/bin/python" -m pip install --quiet -e ".[dev]"
        rm -f "$VENV"/.installed-*
        touch "$stamp"
    fi
}

setup_system_packages() {
    # Debian's Chromium and CJK fonts for the real-browser dashboard test; PostgreSQL for the store.
    if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi "Noto Sans CJK" \
        && compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
        return
    fi
    if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
        echo "==> installing chromium, fonts-noto-cjk and postgresql (Debian packages)"
        if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk postgresql >/dev/null; }; then
            echo "!! could not install chromium, fonts-noto-cjk and postgresql; the tests that need them will say so" >&2
        fi
    else
        echo "!! the tests need Debian's chromium, fonts-noto-cjk and postgresql; install them (as root):" >&2
        echo "   apt-get install chromium fonts-noto-cjk postgresql" >&2
    fi
}

case "${1:-}" in
    dashboard)
        shift
        setup_python
        exec "$VENV/bin/streamlit" run app.py "$@"
        ;;
    test)
        shift
        setup_python
        setup_system_packages
        exec "$VENV/bin/python" -m pytest "$@"
        ;;
    setup)
        setup_python
        ;;
    *)
        echo "usage: ./dev.sh dashboard | test [pytest args] | setup" >&2
        exit 2
        ;;
esac
