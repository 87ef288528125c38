#!/usr/bin/env bash
# Remove everything the project's commands generate, back to what a fresh clone holds (`make clean`): the venv,
# tox's environments, the demo database and the MariaDB data (.cache), build output, reports, and the catalogs and
# static files that assemble_assets.py copies into the packages. The private MariaDB server is stopped first, since
# its files are about to go.
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$ROOT"

if [[ -x "$ROOT/scripts/mariadb.sh" ]] && command -v mariadb-admin >/dev/null 2>&1; then
    "$ROOT/scripts/mariadb.sh" stop
fi
rm -rf .venv .tox .cache .ruff_cache .pytest_cache build dist reports ./*.egg-info
# The assembled copies (git-ignored; `make assets` and the wheel build recreate them).
rm -rf mentora_plugin/locale mentora_plugin/static mentora_xblocks/*/translations mentora_xblocks/*/public
find . -name __pycache__ -type d -prune -exec rm -rf {} +
find . -name '*.py[co]' -delete
log "clean"
