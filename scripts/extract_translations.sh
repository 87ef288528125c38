#!/usr/bin/env bash
# Extract the translatable strings into the gettext catalogs (Django's makemessages), for English and French.
#
#   scripts/extract_translations.sh [ROOT]     ROOT defaults to the repository; tests/test_translations.py passes a
#                                              temporary copy to see whether the committed catalogs are up to date
#
# Mentora's strings (the plugin's Python and templates, the blocks' Python, templates and JavaScript, and the shared
# front-end sources in static/) go to the top-level locale/, domains django and djangojs: scripts/assemble_assets.py
# compiles them into the places the platform looks. The demo site's own strings go to devsite/locale/ (devsite is an
# installed app of the demo, so Django finds them there); they never reach the wheel.
#
# Locations are kept per file without line numbers: translators see where a string is used, and the catalogs do
# not change each time a line moves. Strings no longer in the code are dropped (--no-obsolete).
set -euo pipefail
source "$(dirname "$0")/common.sh"

target="$(cd "${1:-$ROOT}" && pwd)"
LANGUAGES=(en fr)

# Run without Django settings: makemessages then looks only at the directories below the working directory, never
# at the LOCALE_PATHS or STATIC_ROOT of some settings module, so what it writes depends on the tree alone.
makemessages() {
    local args=(--no-obsolete --add-location=file --no-wrap)
    for language in "${LANGUAGES[@]}"; do args+=(--locale "$language"); done
    env -u DJANGO_SETTINGS_MODULE "$PYTHON" -m django makemessages "${args[@]}" "$@"
}

cd "$target"
mkdir -p locale

# makemessages walks the whole working directory: ignore every top-level entry that is not Mentora's source, and
# the copies that assemble_assets.py puts inside the packages (a 'locale' directory inside mentora_plugin would
# otherwise capture the plugin's strings, and public/ would duplicate static/'s JavaScript).
ignores=()
for entry in *; do
    case "$entry" in
        mentora_plugin | mentora_xblocks | static | locale) ;;
        *) ignores+=(--ignore "$entry") ;;
    esac
done
ignores+=(--ignore "mentora_plugin/locale" --ignore "mentora_plugin/static")
ignores+=(--ignore "mentora_xblocks/*/translations" --ignore "mentora_xblocks/*/public")

log "Extracting Mentora's strings into $target/locale"
makemessages --domain django --extension html,txt,py "${ignores[@]}"
makemessages --domain djangojs --extension js "${ignores[@]}"

if [[ -d devsite ]]; then
    log "Extracting the demo site's strings into $target/devsite/locale"
    mkdir -p devsite/locale
    (cd devsite && makemessages --domain django --extension html,txt,py)
fi
