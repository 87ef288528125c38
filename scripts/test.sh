#!/usr/bin/env bash
# Everything CI checks, in one command (`make test`, which `.ci/run` runs on a fresh clone):
#
#   set-up     Debian packages, the Python 3.12 venv with requirements/test.txt, Mentora editable, assets, and
#              .cache/venv-ob2 (scripts/ob2_validator.sh: 1EdTech's Open Badges 2.0 validator, which tests run)
#   quality    scripts/quality.sh: ruff, migrations, PII annotations
#   sqlite     the fast suite on SQLite in memory (everything not marked mariadb, browser or packaging)
#   browser    headless Chromium against a live server (-m browser)
#   mariadb    the concurrency suite on a private MariaDB server (-m mariadb, tests.settings_mariadb)
#   packaging  the built wheel in a fresh venv (-m packaging)
#
# A failing set-up stops everything. After it, every part runs even if an earlier one failed -- one CI run shows
# every problem -- and the command fails if any part failed. pytest's exit code 5 ("no tests collected") counts
# as a failure: a suite that silently vanished (a renamed marker, a file that no longer imports) must not pass.
#
# Extra arguments go to every pytest run, e.g. `make test PYTEST_ARGS=-x` or `scripts/test.sh -x`.
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$ROOT"

started=$SECONDS
log "set-up: Debian packages"
"$ROOT/scripts/system_packages.sh" test
log "set-up: virtual environment (requirements/test.txt)"
"$ROOT/scripts/bootstrap.sh" test
log "set-up: assets (catalogs compiled, static files copied into the packages)"
"$PYTHON" scripts/assemble_assets.py
# Not fatal: without it only tests/test_badges_ob2.py fails (saying how to make it), and every other part still runs.
log "set-up: the Open Badges 2.0 validator's venv (requirements/ob2-validator.txt)"
"$ROOT/scripts/ob2_validator.sh" >/dev/null || warn "the Open Badges validator's venv could not be made"
setup_seconds=$((SECONDS - started))

# Whatever happens from here on (a failure, Ctrl-C), the MariaDB server this run started is stopped.
trap '"$ROOT/scripts/mariadb.sh" stop' EXIT

run_pytest() {
    local status=0
    "$PYTHON" -m pytest "$@" || status=$?
    if ((status == 5)); then
        echo "pytest collected no tests for: $* -- counted as a failure" >&2
    fi
    return "$status"
}

mariadb_suite() {
    "$ROOT/scripts/mariadb.sh" start || return 1
    local status=0
    # The concurrency suite, and the whole database-backed suite once more on the production engine's family.
    DJANGO_SETTINGS_MODULE=tests.settings_mariadb run_pytest -m "not browser and not packaging" "$@" || status=$?
    "$ROOT/scripts/mariadb.sh" stop
    return "$status"
}

summary=()
failed=()
part() {
    local name="$1" start=$SECONDS result=passed
    shift
    log "$name"
    if ! "$@"; then
        result=FAILED
        failed+=("$name")
    fi
    summary+=("$(printf '  %-10s %-7s %5ds' "$name" "$result" $((SECONDS - start)))")
}

part quality bash scripts/quality.sh
part sqlite run_pytest -m "not mariadb and not browser and not packaging" "$@"
part browser run_pytest -m browser "$@"
part mariadb mariadb_suite "$@"
part packaging run_pytest -m packaging "$@"

printf '\n%s\n' "make test: set-up ${setup_seconds}s, total $((SECONDS - started))s" >&2
printf '%s\n' "${summary[@]}" >&2
if ((${#failed[@]})); then
    die "failed: ${failed[*]}"
fi
log "all passed"
