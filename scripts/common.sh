# Shared helpers for the scripts behind the Makefile. Sourced, never run: `source "$(dirname "$0")/common.sh"`.
#
# Everything here is about *finding* things (the repository, the interpreter, the virtual environment), so that each
# script can be started from anywhere (make, CI, a developer's shell) and behaves the same.

# The repository root: the parent of this scripts/ directory, whatever the caller's working directory.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ROOT

# The one virtual environment that `make demo`, `make test` and `make quality` share. Overridable so that a second
# checkout or a CI cache can point elsewhere.
VENV="${MENTORA_VENV:-$ROOT/.venv}"
export VENV

# The interpreter the scripts run Django, pytest and the tools with. `bootstrap.sh` creates it; tox sets it to the
# tox environment's interpreter so the same scripts (quality.sh) run inside tox.
PYTHON="${MENTORA_PYTHON:-$VENV/bin/python}"
export PYTHON

log() { printf '\033[1;34m==> %s\033[0m\n' "$*" >&2; }
warn() { printf '\033[1;33mwarning: %s\033[0m\n' "$*" >&2; }
die() { printf '\033[1;31merror: %s\033[0m\n' "$*" >&2; exit 1; }

# Print the path of a working interpreter of the given minor version (e.g. 3.12), or nothing.
#
# The version name on PATH comes first (a system or python.org install, or a pyenv shim); then pyenv's own
# versions directory, because a pyenv shim for a version that is installed but not selected exits with "command not
# found" (exit 127) -- so every candidate is actually run, not just looked up.
find_python() {
    local version="$1" candidate
    local candidates=("python$version")
    # pyenv's root even when pyenv itself is not on PATH (a non-interactive shell that skipped pyenv's init).
    local pyenv_root="${PYENV_ROOT:-$HOME/.pyenv}"
    if command -v pyenv >/dev/null 2>&1; then
        pyenv_root="$(pyenv root)"
    fi
    # Newest patch release first.
    while IFS= read -r candidate; do
        candidates+=("$candidate")
    done < <(ls -d "$pyenv_root"/versions/"$version".*/bin/python"$version" 2>/dev/null | sort -rV)
    for candidate in "${candidates[@]}"; do
        if "$candidate" -c "import sys, venv; sys.exit(sys.version_info[:2] != tuple(map(int, '$version'.split('.'))))" \
            >/dev/null 2>&1; then
            # The real interpreter, not a shim: the venv must not depend on pyenv's selection later.
            "$candidate" -c "import sys; print(sys.executable)"
            return 0
        fi
    done
    return 1
}

# Like find_python, but fail with a message that says what is missing and how to get it.
require_python() {
    local version="$1" found
    if found="$(find_python "$version")"; then
        echo "$found"
        return 0
    fi
    die "Python $version was not found (looked for 'python$version' on PATH and in \$(pyenv root)/versions/$version.*).
Install it with pyenv ('pyenv install $version', see https://github.com/pyenv/pyenv) or from python.org, then run
this again. (Debian 12's own packages stop at Python 3.11.)"
}

# Ask Django which installed apps are Mentora's own (label 'mentora' or 'mentora_*'), one dotted app name per line.
# Asked of the test settings, which load the plugin through the same entry points as the LMS, so that an app added
# under mentora_plugin/ is checked (migrations, PII) without anybody editing a list.
mentora_apps() {
    (cd "$ROOT" && DJANGO_SETTINGS_MODULE=tests.settings "$PYTHON" - "$@" <<'EOF'
import sys

import django

django.setup()
from django.apps import apps

field = sys.argv[1] if len(sys.argv) > 1 else "name"
for app in apps.get_app_configs():
    if app.label == "mentora" or app.label.startswith("mentora_"):
        print(getattr(app, field))
EOF
    )
}

# side_venv VENV LOCK SCRIPT INSTALL STAMP: a Python 3.12 venv outside the project's, for a tool that must not
# share its packages (the Open Badges validator, the openedx-forum benchmark peer). INSTALL is a function run with
# the venv's python as $1 to install LOCK and prove the tool imports. A re-run is instant when nothing changed: the
# file STAMP in the venv (which the tool's users look for) records a hash of LOCK, SCRIPT and the interpreter; a
# venv of another interpreter is replaced, not patched. Prints the venv's python.
side_venv() {
    local venv="$1" lock="$2" script="$3" install="$4" stamp_file="$1/$5" python312
    [[ -f "$lock" ]] || die "$lock is missing"
    python312="$(require_python 3.12)"
    if [[ -x "$venv/bin/python" ]] && ! "$venv/bin/python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))' 2>/dev/null; then
        log "Replacing $venv: it is not a Python 3.12 environment"
        rm -rf "$venv"
    fi
    _side_venv_stamp() { cat "$lock" "$script" <("$venv/bin/python" -VV) | sha256sum | cut -d' ' -f1; }
    if [[ ! -x "$venv/bin/python" ]] || [[ ! -f "$stamp_file" ]] || [[ "$(cat "$stamp_file")" != "$(_side_venv_stamp)" ]]; then
        if [[ ! -x "$venv/bin/python" ]]; then
            log "Creating $venv with $python312"
            mkdir -p "$(dirname "$venv")"
            "$python312" -m venv "$venv"
        fi
        rm -f "$stamp_file"
        PIP_DISABLE_PIP_VERSION_CHECK=1 "$install" "$venv/bin/python"
        _side_venv_stamp >"$stamp_file"
    fi
    echo "$venv/bin/python"
}
