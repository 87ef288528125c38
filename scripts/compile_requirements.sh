#!/usr/bin/env bash
# Compile the requirements locks with pip-tools.
#
#   scripts/compile_requirements.sh            re-lock after editing a .in file, keeping every other pin as it is
#   scripts/compile_requirements.sh --upgrade  move every pin to the newest release the constraints allow
#                                              (`make upgrade`)
#
# requirements/{base,demo,test,dev}.txt are compiled with Python 3.12 (xblock-sdk 0.15 and XBlock 6.3 need it: a
# lock compiled with 3.11 would pin older releases). requirements/test-py311.txt is test-py311.in (test.in plus what
# 3.11 needs) compiled with Python 3.11 -- the Teak platform's interpreter -- for tox's py311 environment, where the
# 3.12 lock cannot install (3.11 gets xblock-sdk 0.14, XBlock 6.1 with the separate web-fragments).
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$ROOT/requirements"

upgrade=()
case "${1:-}" in
    --upgrade) upgrade=(--upgrade) ;;
    "") ;;
    *) die "usage: $0 [--upgrade]" ;;
esac

FLAGS=(--quiet --no-emit-index-url --no-emit-find-links --allow-unsafe --strip-extras "${upgrade[@]}")

# pip-tools in a venv of the given Python version, kept in .cache (not the project venv: compiling must not depend
# on, or disturb, what is installed there), at the version dev.txt pins.
PIPTOOLS="$(grep -E '^pip-tools==' dev.txt || echo pip-tools)"
piptools() {
    local version="$1" venv="$ROOT/.cache/pip-tools-py$1"
    if [[ ! -x "$venv/bin/pip-compile" ]] || ! "$venv/bin/python" -m pip show pip-tools 2>/dev/null \
        | grep -qx "Version: ${PIPTOOLS#pip-tools==}"; then
        log "Preparing $PIPTOOLS for Python $version in $venv"
        [[ -x "$venv/bin/python" ]] || "$(require_python "$version")" -m venv "$venv"
        "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$PIPTOOLS"
    fi
    echo "$venv/bin/pip-compile"
}

compile312="$(piptools 3.12)"
# In dependency order: each lock's pins are the starting point of the next (-r includes).
for name in base demo test dev benchmarks; do
    log "requirements/$name.txt (Python 3.12)"
    "$compile312" "${FLAGS[@]}" --output-file="$name.txt" "$name.in"
done

compile311="$(piptools 3.11)"
log "requirements/test-py311.txt from test-py311.in (Python 3.11)"
# Start from the 3.12 test lock's pins, so both locks agree wherever the interpreter allows.
[[ -f test-py311.txt ]] || cp test.txt test-py311.txt
"$compile311" "${FLAGS[@]}" --output-file=test-py311.txt test-py311.in
