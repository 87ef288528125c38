#!/usr/bin/env bash
# The quality checks, each one run even if an earlier one failed, so that one run shows every problem:
#
#   1. ruff (lint and import order; configuration in pyproject.toml)
#   2. no model change without its migration, for Mentora's apps (makemigrations --check --dry-run)
#   3. PII annotations (OEP-30): every model of every Mentora app is annotated (code-annotations, 100% coverage)
#   4. feature toggle (OEP-17) and setting annotations are well formed (code-annotations, the configurations that
#      code-annotations ships for the platform's toggle and settings reports)
#
# Expects the environment `make quality` / `make test` prepare (scripts/bootstrap.sh test); inside tox, the tox env's
# interpreter is used instead (MENTORA_PYTHON).
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$ROOT"

failed=()
check() {
    local name="$1"
    shift
    log "quality: $name"
    if ! "$@"; then
        failed+=("$name")
    fi
}

ruff_check() { "$PYTHON" -m ruff check --output-format=concise .; }

migrations_check() {
    # Only Mentora's apps: a third-party app (the workbench, say) that lacks a migration for the demo's
    # DEFAULT_AUTO_FIELD is not ours to fix, and would make this check fail forever.
    local labels
    labels="$(mentora_apps label)" || return 1
    [[ -n "$labels" ]] || { echo "no Mentora app is installed in tests.settings" >&2; return 1; }
    # shellcheck disable=SC2086  # one argument per app label
    DJANGO_SETTINGS_MODULE=tests.settings "$PYTHON" manage.py makemigrations --check --dry-run $labels
}

pii_check() {
    # code-annotations' --app_name keeps one app (it matches the end of the app's dotted name), so it runs once per
    # Mentora app: coverage then counts Mentora's models only, whatever else the settings install.
    local apps app status=0
    apps="$(mentora_apps name)" || return 1
    # The plugin's two founding apps must be among them: if discovery broke, the check would pass on nothing.
    for required in mentora_plugin mentora_plugin.host; do
        grep -qx "$required" <<<"$apps" || { echo "app $required not found in tests.settings" >&2; return 1; }
    done
    for app in $apps; do
        echo "--- $app"
        DJANGO_SETTINGS_MODULE=tests.settings "$VENV_BIN/code_annotations" django_find_annotations \
            --config_file .pii_annotations.yml --app_name "$app" --lint --report --coverage || status=1
    done
    return "$status"
}

annotations_check() {
    # The platform's reports of toggles and settings read these annotations: a malformed one (a missing field, a
    # use case outside the allowed list) would silently drop Mentora's toggle from them.
    local config_dir status=0
    config_dir="$("$PYTHON" -c 'import code_annotations, pathlib; print(pathlib.Path(code_annotations.__file__).parent / "contrib" / "config")')"
    for config in feature_toggle_annotations.yaml setting_annotations.yaml; do
        "$VENV_BIN/code_annotations" static_find_annotations --config_file "$config_dir/$config" \
            --source_path mentora_plugin --report_path reports/annotations --lint || status=1
    done
    return "$status"
}

VENV_BIN="$(dirname "$PYTHON")"
check "ruff" ruff_check
check "migrations" migrations_check
check "pii annotations" pii_check
check "toggle and setting annotations" annotations_check

if ((${#failed[@]})); then
    die "quality checks failed: ${failed[*]}"
fi
log "quality: all checks passed"
