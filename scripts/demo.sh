#!/usr/bin/env bash
# The demo (`make demo`): the demo site with Mentora loaded through the LMS's plugin machinery, on SQLite
# (.cache/demo/demo.sqlite3), seeded with people, courses and enrollments sent as the platform's own events, served
# on http://127.0.0.1:$PORT/ (8000 unless PORT is set; loopback only).
#
# Needs no Debian package and no root: requirements/demo.txt is pure Python wheels and polib compiles the catalogs.
# A second run is quick: the venv is reused when its requirements have not changed, migrate has nothing to do and
# seed_demo only replays idempotent events.
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$ROOT"

PORT="${PORT:-8000}"
[[ "$PORT" =~ ^[0-9]+$ ]] || die "PORT must be a number, not '$PORT'"

"$ROOT/scripts/system_packages.sh" demo
"$ROOT/scripts/bootstrap.sh" demo
"$PYTHON" scripts/assemble_assets.py

export DJANGO_SETTINGS_MODULE=devsite.settings
log "Migrating the demo database"
"$PYTHON" manage.py migrate --noinput --verbosity 0
log "Seeding the demo"
"$PYTHON" manage.py seed_demo
log "Serving the demo on http://127.0.0.1:$PORT/ (Ctrl-C stops it)"
exec "$PYTHON" manage.py runserver "127.0.0.1:$PORT"
