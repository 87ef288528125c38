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

install_peer() {
    local python="$1"
    log "Installing benchmarks/forum_peer_requirements.txt (openedx-forum 0.6.0)"
    "$python" -m pip install --quiet -r "$ROOT/benchmarks/forum_peer_requirements.txt" >&2
    "$python" -c 'import django, forum, MySQLdb; assert django.VERSION[:2] == (5, 2), django.VERSION' \
        || die "openedx-forum does not import in $python"
}

side_venv "${MENTORA_FORUM_PEER_VENV:-$ROOT/.cache/venv-forum-peer}" "$ROOT/benchmarks/forum_peer_requirements.txt" \
    "$ROOT/scripts/forum_peer.sh" install_peer .mentora-forum-peer.stamp
