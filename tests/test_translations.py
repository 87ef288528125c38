"""
The French catalog is complete and up to date with the code.

Complete: every entry of ``locale/fr/LC_MESSAGES/django.po`` (and ``djangojs.po`` when there is one) is translated,
and none is fuzzy -- a fuzzy entry is a guess msgmerge made, which gettext ignores at run time, so the French
interface would show English there. Up to date: extracting the strings again (``make extract_translations``, into a
temporary copy) finds no msgid that the committed catalog lacks.

Needs gettext's xgettext and msgmerge (Debian's gettext package; ``make test`` installs it).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
FRENCH = ROOT / "locale" / "fr" / "LC_MESSAGES"
DEMO_FRENCH = ROOT / "devsite" / "locale" / "fr" / "LC_MESSAGES"
DOMAINS = ("django", "djangojs")
#: Every French catalog there is: Mentora's (djangojs.po appears once JavaScript strings do) and the demo site's.
FRENCH_CATALOGS = sorted([*FRENCH.glob("*.po"), *DEMO_FRENCH.glob("*.po")])


def test_the_french_catalogs_exist():
    assert (FRENCH / "django.po").is_file(), "run `make extract_translations`, then translate locale/fr"
    assert (DEMO_FRENCH / "django.po").is_file(), "run `make extract_translations`, then translate devsite/locale/fr"


def _entries(catalog: polib.POFile) -> set[tuple[str | None, str]]:
    return {(entry.msgctxt, entry.msgid) for entry in catalog if not entry.obsolete}


def _describe(entries) -> str:
    return "\n".join(
        f"  {entry.msgid!r}" + (f" (context {entry.msgctxt!r})" if entry.msgctxt else "") for entry in entries
    )


@pytest.mark.parametrize("path", FRENCH_CATALOGS, ids=lambda path: str(path.relative_to(ROOT)))
def test_the_french_catalog_is_complete(path):
    catalog = polib.pofile(str(path))
    assert catalog.metadata.get("Language") == "fr", "the catalog's header must say Language: fr"
    assert not catalog.metadata_is_fuzzy, "the catalog's header is still marked fuzzy"
    untranslated = catalog.untranslated_entries()
    assert not untranslated, f"{len(untranslated)} untranslated entries in {path.name}:\n{_describe(untranslated)}"
    fuzzy = catalog.fuzzy_entries()
    assert not fuzzy, f"{len(fuzzy)} fuzzy entries in {path.name}:\n{_describe(fuzzy)}"


def test_the_catalogs_hold_every_string_of_the_code(tmp_path):
    # The sources extraction reads, and the catalogs it merges into; nothing else (no .venv, no caches).
    for name in ("mentora_plugin", "mentora_xblocks", "static", "locale", "devsite"):
        if (ROOT / name).exists():
            shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    result = subprocess.run(
        ["bash", str(ROOT / "scripts" / "extract_translations.sh"), str(tmp_path)],
        env={**os.environ, "MENTORA_PYTHON": sys.executable},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, f"extraction failed (is gettext installed?):\n{result.stdout}\n{result.stderr}"

    missing = {}
    catalogs = [(FRENCH, tmp_path / "locale", domain) for domain in DOMAINS]
    catalogs.append((DEMO_FRENCH, tmp_path / "devsite" / "locale", "django"))
    for committed_dir, extracted_root, domain in catalogs:
        extracted_path = extracted_root / "fr" / "LC_MESSAGES" / f"{domain}.po"
        if not extracted_path.exists():
            continue
        committed_path = committed_dir / f"{domain}.po"
        committed = _entries(polib.pofile(str(committed_path))) if committed_path.exists() else set()
        new = [entry for entry in polib.pofile(str(extracted_path)) if not entry.obsolete
               and (entry.msgctxt, entry.msgid) not in committed]
        if new:
            missing[str(committed_path.relative_to(ROOT))] = new
    assert not missing, "strings in the code that the French catalog lacks (run `make extract_translations`):\n" + (
        "\n".join(f"{path}:\n{_describe(entries)}" for path, entries in missing.items())
    )
