#!/usr/bin/env bash
# Create (or bring up to date) the project's virtual environment for one requirements set.
#
#   scripts/bootstrap.sh demo   requirements/demo.txt: the plugin's run-time requirements plus the XBlock workbench
#   scripts/bootstrap.sh test   requirements/test.txt: everything the test suites and the quality checks use
#   scripts/bootstrap.sh dev    requirements/dev.txt: test + pip-tools and tox
#   scripts/bootstrap.sh benchmarks   requirements/benchmarks.txt: test + the peers the benchmarks measure against
#
# Then installs the project itself in editable mode, without dependencies (they are all pinned in the lock file),
# so that its entry points (lms.djangoapp, xblock.v1, ...) are registered: the demo and the tests load Mentora
# through them, as the LMS does.
#
# A re-run is instant when nothing changed: a stamp file in the venv records a hash of what the installed state
# depends on (the lock file, setup.py, pyproject.toml, the interpreter). Change any of them and the next run
# installs again.
set -euo pipefail
source "$(dirname "$0")/common.sh"

set_name="${1:-}"
case "$set_name" in
    demo | test | dev | benchmarks) ;;
    *) die "usage: $0 demo|test|dev|benchmarks" ;;
esac
lock="$ROOT/requirements/$set_name.txt"
[[ -f "$lock" ]] || die "$lock is missing"

# mysqlclient (in test and dev) compiles against Debian's MariaDB client library.
if [[ "$set_name" != demo ]]; then
    "$ROOT/scripts/system_packages.sh" build
fi

# xblock-sdk 0.15 and XBlock 6.3 need Python 3.12; the locks are compiled with it.
python312="$(require_python 3.12)"

# A venv made by another interpreter (say a 3.11 venv left from earlier) is replaced, not patched.
if [[ -x "$VENV/bin/python" ]] && ! "$VENV/bin/python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))' 2>/dev/null; then
    log "Replacing $VENV: it is not a Python 3.12 environment"
    rm -rf "$VENV"
fi
if [[ ! -x "$VENV/bin/python" ]]; then
    log "Creating $VENV with $python312"
    "$python312" -m venv "$VENV"
fi

# The stamp of a set: a hash of everything its installed state depends on.
stamp_of() {
    (cd "$ROOT" && cat "requirements/$1.txt" setup.py pyproject.toml <("$VENV/bin/python" -VV) | sha256sum | cut -d' ' -f1)
}
# The exact pins of a lock file, sorted (comments and "# via" lines dropped).
pins_of() {
    grep -E '^[A-Za-z0-9_.-]+==' "$ROOT/requirements/$1.txt" | sed 's/ .*//' | sort -u
}

# Up to date if the venv holds this set, or a set whose lock pins everything this one pins (test holds demo, dev
# holds test): switching between `make demo` and `make test` must not reinstall each time.
for installed in "$VENV"/.mentora-*.stamp; do
    [[ -f "$installed" ]] || continue
    other="$(basename "$installed" .stamp)"
    other="${other#.mentora-}"
    [[ -f "$ROOT/requirements/$other.txt" ]] || continue
    if [[ "$(cat "$installed")" == "$(stamp_of "$other")" ]] \
        && [[ -z "$(comm -23 <(pins_of "$set_name") <(pins_of "$other"))" ]]; then
        exit 0
    fi
done

log "Installing requirements/$set_name.txt into $VENV"
export PIP_DISABLE_PIP_VERSION_CHECK=1
# The lock pins pip itself (--allow-unsafe): installing it first means the rest is resolved by the pinned pip.
pip_pin="$(grep -E '^pip==' "$lock" || true)"
if [[ -n "$pip_pin" ]]; then
    "$VENV/bin/python" -m pip install --quiet "$pip_pin"
fi
"$VENV/bin/python" -m pip install --quiet -r "$lock"
log "Installing Mentora (editable, no dependencies)"
"$VENV/bin/python" -m pip install --quiet --no-deps -e "$ROOT"

# Another set installed earlier may have had other versions of shared packages: only this set's stamp now holds.
rm -f "$VENV"/.mentora-*.stamp
stamp_of "$set_name" >"$VENV/.mentora-$set_name.stamp"
