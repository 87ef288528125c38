#!/usr/bin/env bash
# Create (or bring up to date) the virtual environment of 1EdTech's Open Badges 2.0 validator, and print its python.
#
#   scripts/ob2_validator.sh        -> /…/.cache/venv-ob2/bin/python on standard output (progress on stderr)
#
# tests/test_badges_ob2.py runs tests/ob2_validate.py with that interpreter to validate our hosted and baked badges
# offline. The validator (PyPI `openbadges` 1.1.2) pins 2017 packages that clash with the project's (PyLD 0.7.1
# against pyld>=3.3, jsonschema 2.6) and several no longer import on 3.12: it gets a venv of its own, with modern
# dependencies from requirements/ob2-validator.txt and then openbadges itself without its declared dependencies.
#
# A re-run is instant when nothing changed: a stamp in the venv records a hash of the requirements file, this script
# and the interpreter. Override the location with MENTORA_OB2_VENV.
set -euo pipefail
source "$(dirname "$0")/common.sh"

OB2_VENV="${MENTORA_OB2_VENV:-$ROOT/.cache/venv-ob2}"
OPENBADGES_PIN="openbadges==1.1.2"
lock="$ROOT/requirements/ob2-validator.txt"
[[ -f "$lock" ]] || die "$lock is missing"

python312="$(require_python 3.12)"

# A venv made by another interpreter is replaced, not patched.
if [[ -x "$OB2_VENV/bin/python" ]] && ! "$OB2_VENV/bin/python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))' 2>/dev/null; then
    log "Replacing $OB2_VENV: it is not a Python 3.12 environment"
    rm -rf "$OB2_VENV"
fi

stamp_file="$OB2_VENV/.mentora-ob2.stamp"
stamp_of() {
    cat "$lock" "$ROOT/scripts/ob2_validator.sh" <("$OB2_VENV/bin/python" -VV) | sha256sum | cut -d' ' -f1
}

if [[ ! -x "$OB2_VENV/bin/python" ]] || [[ ! -f "$stamp_file" ]] || [[ "$(cat "$stamp_file")" != "$(stamp_of)" ]]; then
    if [[ ! -x "$OB2_VENV/bin/python" ]]; then
        log "Creating $OB2_VENV with $python312"
        mkdir -p "$(dirname "$OB2_VENV")"
        "$python312" -m venv "$OB2_VENV"
    fi
    log "Installing requirements/ob2-validator.txt and $OPENBADGES_PIN (no dependencies) into $OB2_VENV"
    export PIP_DISABLE_PIP_VERSION_CHECK=1
    rm -f "$stamp_file"
    "$OB2_VENV/bin/python" -m pip install --quiet -r "$lock" >&2
    "$OB2_VENV/bin/python" -m pip install --quiet --no-deps "$OPENBADGES_PIN" >&2
    # The proof it works: the import that fails on 3.12 with the validator's own 2017 pins.
    "$OB2_VENV/bin/python" -c 'import openbadges, responses; from openbadges.verifier.openbadges_context import OPENBADGES_CONTEXT_V2_DICT' \
        || die "the Open Badges validator does not import in $OB2_VENV"
    stamp_of >"$stamp_file"
fi

echo "$OB2_VENV/bin/python"
