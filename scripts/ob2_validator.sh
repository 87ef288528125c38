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

OPENBADGES_PIN="openbadges==1.1.2"

install_validator() {
    local python="$1"
    log "Installing requirements/ob2-validator.txt and $OPENBADGES_PIN (no dependencies)"
    "$python" -m pip install --quiet -r "$ROOT/requirements/ob2-validator.txt" >&2
    "$python" -m pip install --quiet --no-deps "$OPENBADGES_PIN" >&2
    # The proof it works: the import that fails on 3.12 with the validator's own 2017 pins.
    "$python" -c 'import openbadges, responses; from openbadges.verifier.openbadges_context import OPENBADGES_CONTEXT_V2_DICT' \
        || die "the Open Badges validator does not import in $python"
}

side_venv "${MENTORA_OB2_VENV:-$ROOT/.cache/venv-ob2}" "$ROOT/requirements/ob2-validator.txt" "$ROOT/scripts/ob2_validator.sh" \
    install_validator .mentora-ob2.stamp
