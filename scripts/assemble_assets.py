"""
Put the top-level ``locale/`` and ``static/`` where the platform looks for them inside the packages.

- ``locale/<lang>/LC_MESSAGES/django.po`` -> ``mentora_plugin/locale/<lang>/LC_MESSAGES/django.mo`` (Django app
  catalogs) and ``mentora_xblocks/<block>/translations/<lang>/LC_MESSAGES/text.mo`` (XBlock catalogs);
  ``djangojs.po`` likewise, for the JavaScript catalog.
- ``static/`` -> ``mentora_plugin/static/mentora/`` (the app's static files) and
  ``static/`` -> ``mentora_xblocks/<block>/public/`` (XBlock resources are served only from ``public/``).

Run by ``setup.py``'s ``build_py`` into the build directory, and by ``make assets`` into the source tree for the
demo and the tests. Needs only the standard library and polib, so it runs inside the isolated build environment.
"""
from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import polib

CATALOGS = {"django.po": "django.mo", "djangojs.po": "djangojs.mo"}


def xblock_packages(root: Path) -> list[Path]:
    """Every block sub-package of ``mentora_xblocks`` (a directory with an ``__init__.py``)."""
    blocks = root / "mentora_xblocks"
    return sorted(p for p in blocks.iterdir() if (p / "__init__.py").exists()) if blocks.is_dir() else []


def compile_catalogs(source_root: Path, target_root: Path) -> list[Path]:
    """Compile every ``.po`` of ``locale/`` into the app and block catalog locations; return the files written."""
    written = []
    for po_path in sorted((source_root / "locale").glob("*/LC_MESSAGES/*.po")):
        if po_path.name not in CATALOGS:
            continue
        language = po_path.parent.parent.name
        catalog = polib.pofile(str(po_path))
        targets = [target_root / "mentora_plugin" / "locale" / language / "LC_MESSAGES" / CATALOGS[po_path.name]]
        if po_path.name == "django.po":
            targets += [
                target_root / block.relative_to(source_root) / "translations" / language / "LC_MESSAGES" / "text.mo"
                for block in xblock_packages(source_root)
            ]
        for target in targets:
            target.parent.mkdir(parents=True, exist_ok=True)
            catalog.save_as_mofile(str(target))
            written.append(target)
    return written


def copy_static(source_root: Path, target_root: Path) -> list[Path]:
    """Copy ``static/`` into the app's static directory and each block's ``public/``."""
    static = source_root / "static"
    if not static.is_dir():
        return []
    targets = [target_root / "mentora_plugin" / "static" / "mentora"]
    targets += [target_root / block.relative_to(source_root) / "public" for block in xblock_packages(source_root)]
    for target in targets:
        shutil.copytree(static, target, dirs_exist_ok=True)
    return targets


def compile_demo_catalogs(source_root: Path) -> list[Path]:
    """Compile the demo site's own catalogs in place (``devsite/locale``); they never go into the wheel."""
    written = []
    for po_path in sorted((source_root / "devsite" / "locale").glob("*/LC_MESSAGES/django.po")):
        target = po_path.with_suffix(".mo")
        polib.pofile(str(po_path)).save_as_mofile(str(target))
        written.append(target)
    return written


def assemble(source_root: str | Path, target_root: str | Path) -> None:
    """Compile the catalogs and copy the static files from ``source_root`` into the packages under ``target_root``."""
    source_root, target_root = Path(source_root), Path(target_root)
    compile_catalogs(source_root, target_root)
    copy_static(source_root, target_root)
    if source_root.resolve() == target_root.resolve():  # the source tree: the demo runs from here
        compile_demo_catalogs(source_root)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--source", default=Path(__file__).resolve().parent.parent, type=Path)
    parser.add_argument("--target", default=None, type=Path, help="defaults to the source tree")
    arguments = parser.parse_args()
    assemble(arguments.source, arguments.target or arguments.source)
