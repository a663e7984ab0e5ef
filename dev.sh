#!/usr/bin/env bash
# The project's two set-up commands (see README):
#   ./dev.sh dashboard   set up what the dashboard needs (first time) and run it on the demo data
#   ./dev.sh test        set up everything the tests need (first time) and run the whole test suite
# Set-up is idempotent: a virtual environment in .venv, the CPU build of PyTorch first (so pip does
# not pull several GB of CUDA packages), then this package. `test` adds the test tool chain (pytest,
# Playwright, psycopg, ruff, the teacher model) and, as root with apt-get, the Debian packages the
# tests need: Chromium and CJK fonts for the browser test, the PostgreSQL server for the store.
set -euo pipefail
cd "$(dirname "$0")"

PYTHON=${PYTHON:-python3}
VENV=.venv
TORCH_SPEC=${TORCH_SPEC:-torch==2.13.0}

step() { printf '==> %s\n' "$*"; }

pip_install() {
    # pip's own progress, without the noise of unused local index locations
    "$VENV/bin/python" -m pip install --disable-pip-version-check "$@" 2>&1 | { grep -v "^WARNING: Location '" || true; }
}

# setup_python EXTRAS: the package with those extras ("" for the dashboard, "[dev]" for the tests)
setup_python() {
    local extras=$1
    if [ ! -x "$VENV/bin/python" ]; then
        step "creating the virtual environment $VENV"
        "$PYTHON" -m venv "$VENV"
        pip_install --quiet --upgrade pip
    fi
    if ! "$VENV/bin/python" -c "import torch" 2>/dev/null; then
        step "installing $TORCH_SPEC, CPU build (about 200 MB; usually 1-3 minutes)"
        SECONDS=0
        pip_install "$TORCH_SPEC"
        step "torch installed in ${SECONDS} s"
    fi
    local stamp="$VENV/.installed$extras-$(sha1sum pyproject.toml | cut -c1-12)"
    if [ ! -f "$stamp" ]; then
        step "installing the matchmaker package$extras and its dependencies (first time: about 2-4 minutes)"
        SECONDS=0
        pip_install --quiet -e ".$extras"
        rm -f "$VENV"/.installed"$extras"-*
        touch "$stamp"
        step "package installed in ${SECONDS} s"
    fi
}

setup_system_packages() {
    # Debian's Chromium and CJK fonts for the real-browser dashboard test; PostgreSQL for the store.
    if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi "Noto Sans CJK" \
        && compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
        return
    fi
    if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
        step "installing chromium, fonts-noto-cjk and postgresql (Debian packages; about 1-3 minutes)"
        SECONDS=0
        if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk postgresql >/dev/null; }; then
            echo "!! could not install chromium, fonts-noto-cjk and postgresql; the tests that need them will say so" >&2
        fi
        step "Debian packages installed in ${SECONDS} s"
    else
        echo "!! the tests need Debian's chromium, fonts-noto-cjk and postgresql; install them (as root):" >&2
        echo "   apt-get install chromium fonts-noto-cjk postgresql" >&2
    fi
}

case "${1:-}" in
    dashboard)
        shift
        setup_python ""
        step "starting the dashboard on the demo data: http://localhost:8501 (Ctrl+C stops it)"
        exec "$VENV/bin/matchmaker" dashboard "$@"
        ;;
    test)
        shift
        setup_python "[dev]"
        setup_system_packages
        exec "$VENV/bin/python" -m pytest "$@"
        ;;
    setup)
        setup_python "[dev]"
        ;;
    *)
        echo "usage: ./dev.sh dashboard [streamlit options] | test [pytest args] | setup" >&2
        exit 2
        ;;
esac
