#!/usr/bin/env bash
# Install the Debian packages a task needs, and only those that are missing.
#
#   scripts/system_packages.sh build   what installing the test requirements needs (mysqlclient compiles from source)
#   scripts/system_packages.sh test    build + what the test suites run against
#   scripts/system_packages.sh i18n    what extracting the translatable strings needs (gettext)
#   scripts/system_packages.sh demo    what `make demo` needs: nothing (its requirements are pure Python wheels and
#                                      polib compiles the catalogs), so it installs nothing and never asks for root
#
# Nothing installed by hand on a developer's machine exists on a fresh CI machine: every package the project needs
# is named here. Checking with dpkg first keeps a re-run instant and lets a non-root developer who already has the
# packages run everything without sudo.
set -euo pipefail
source "$(dirname "$0")/common.sh"

# mysqlclient (the MariaDB suite's driver, the one the platform uses) builds against the MariaDB client library and
# finds it through pkg-config.
BUILD_PACKAGES=(libmariadb-dev pkg-config)
# mariadb-server: the private server of the MariaDB suite (scripts/mariadb.sh).
# chromium, chromium-driver: the browser suite drives Debian's Chromium through its own driver, nothing downloaded.
# gettext: makemessages (xgettext, msgmerge) for extraction and the French catalog's up-to-date check.
I18N_PACKAGES=(gettext)
TEST_PACKAGES=("${BUILD_PACKAGES[@]}" "${I18N_PACKAGES[@]}" mariadb-server chromium chromium-driver)

case "${1:-}" in
    build) wanted=("${BUILD_PACKAGES[@]}") ;;
    test) wanted=("${TEST_PACKAGES[@]}") ;;
    i18n) wanted=("${I18N_PACKAGES[@]}") ;;
    demo) wanted=() ;;
    *) die "usage: $0 build|test|i18n|demo" ;;
esac

missing=()
for package in "${wanted[@]}"; do
    # "install ok installed" only: a package removed but not purged ("deinstall ok config-files") is missing.
    if [[ "$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)" != "install ok installed" ]]; then
        missing+=("$package")
    fi
done

if ((${#missing[@]} == 0)); then
    exit 0
fi

if [[ "$(id -u)" -eq 0 ]]; then
    as_root=()
elif command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
else
    die "these Debian packages are missing and installing them needs root: ${missing[*]}
Install them with: apt-get update && apt-get install -y ${missing[*]}"
fi

log "Installing Debian packages: ${missing[*]}"
# Non-interactive: no debconf question may stop CI. The package lists of a fresh machine are empty or stale, so
# update first (only now that something is actually missing).
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq "${missing[@]}"
