#!/usr/bin/env bash
# Create (or bring up to date) the virtual environment of openedx-forum, the peer that benchmarks/bench_communities.py
# measures Mentora's communities against, and print its python.
#
#   scripts/forum_peer.sh        -> /…/.cache/venv-forum-peer/bin/python on standard output (progress on stderr)
#
# openedx-forum 0.6.0 needs Python 3.12 and pulls packages the project does not use (pymongo, elasticsearch,
# edx-search, typesense, meilisearch): it gets a venv of its own, from benchmarks/forum_peer_requirements.txt
# (pinned; Django held at the project's 5.2). It is never installed into the project's .venv nor listed in the
# project's requirements. The benchmark runs it as a subprocess with its own Django settings
# (benchmarks/forum_peer/settings.py).
#
# A re-run is instant when nothing changed: a stamp in the venv records a hash of the requirements file, this script
# and the interpreter. Override the location with MENTORA_FORUM_PEER_VENV.
set -euo pipefail
source "$(dirname "$0")/common.sh"

PEER_VENV="${MENTORA_FORUM_PEER_VENV:-$ROOT/.cache/venv-forum-peer}"
lock="$ROOT/benchmarks/forum_peer_requirements.txt"
[[ -f "$lock" ]] || die "$lock is missing"

python312="$(require_python 3.12)"

# A venv made by another interpreter is replaced, not patched.
if [[ -x "$PEER_VENV/bin/python" ]] && ! "$PEER_VENV/bin/python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))' 2>/dev/null; then
    log "Replacing $PEER_VENV: it is not a Python 3.12 environment"
    rm -rf "$PEER_VENV"
fi

stamp_file="$PEER_VENV/.mentora-forum-peer.stamp"
stamp_of() {
    cat "$lock" "$ROOT/scripts/forum_peer.sh" <("$PEER_VENV/bin/python" -VV) | sha256sum | cut -d' ' -f1
}

if [[ ! -x "$PEER_VENV/bin/python" ]] || [[ ! -f "$stamp_file" ]] || [[ "$(cat "$stamp_file")" != "$(stamp_of)" ]]; then
    if [[ ! -x "$PEER_VENV/bin/python" ]]; then
        log "Creating $PEER_VENV with $python312"
        mkdir -p "$(dirname "$PEER_VENV")"
        "$python312" -m venv "$PEER_VENV"
    fi
    log "Installing benchmarks/forum_peer_requirements.txt (openedx-forum 0.6.0) into $PEER_VENV"
    export PIP_DISABLE_PIP_VERSION_CHECK=1
    rm -f "$stamp_file"
    "$PEER_VENV/bin/python" -m pip install --quiet -r "$lock" >&2
    "$PEER_VENV/bin/python" -c 'import django, forum, MySQLdb; assert django.VERSION[:2] == (5, 2), django.VERSION' \
        || die "openedx-forum does not import in $PEER_VENV"
    stamp_of >"$stamp_file"
fi

echo "$PEER_VENV/bin/python"
