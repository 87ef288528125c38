"""
The built wheel, installed in a fresh virtual environment, carries what the LMS, Studio and the XBlock runtime
look for: the plugin's entry points, the compiled catalogs where Django and the XBlock runtime find them, the static
files and templates -- and nothing of the repository that is not the plugin.

This is how an institution installs Mentora (``pip install mentora`` next to edx-platform), so it is tested that
way: the wheel is built from a copy of the work tree (what a fresh clone holds, without files assembled earlier by
``make assets``), and installed with its dependencies constrained by the lock, in a venv made by this interpreter.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.packaging

ROOT = Path(__file__).resolve().parent.parent
BLOCK = "course_team"

# Not part of the source a fresh clone holds: tools' state, build output, and the catalogs and static files that
# `make assets` assembles into the packages (the wheel build must assemble them itself).
_NOT_SOURCE = {".git", ".venv", ".tox", ".cache", "build", "dist", "reports", "node_modules", "__pycache__"}


def _ignore(directory: str, names: list[str]) -> set[str]:
    here = Path(directory).resolve()
    ignored = {name for name in names if name in _NOT_SOURCE or name.endswith(".egg-info")}
    if here == ROOT / "mentora_plugin":
        ignored |= {"locale", "static"} & set(names)
    if here.parent == ROOT / "mentora_xblocks":
        ignored |= {"translations", "public"} & set(names)
    return ignored


def _run(command: list[str], *, cwd: Path, timeout: int, env: dict | None = None) -> str:
    result = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert result.returncode == 0, f"{' '.join(map(str, command))} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def _clean_env() -> dict[str, str]:
    """The environment of a process that knows nothing of this checkout or of Django settings."""
    env = {key: value for key, value in os.environ.items() if key not in {"PYTHONPATH", "DJANGO_SETTINGS_MODULE"}}
    env.pop("VIRTUAL_ENV", None)
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def _constraints() -> Path:
    # The lock the project pins its dependencies with for this Python: base.txt is compiled with 3.12; on 3.11
    # (xblock-sdk, XBlock 6.3 need 3.12) the 3.11 test lock pins the same dependency tree for that interpreter.
    if sys.version_info >= (3, 12):
        return ROOT / "requirements" / "base.txt"
    return ROOT / "requirements" / "test-py311.txt"


# Run by the fresh venv's interpreter, outside the repository, with the block's name as argument: it reports what
# an installed Mentora looks like.
_INSPECT = textwrap.dedent(
    """
    import gettext, json, sys
    from importlib import metadata
    from pathlib import Path

    import mentora_plugin
    import mentora_plugin.host
    from django.conf import settings

    plugin = Path(mentora_plugin.__file__).parent
    block = plugin.parent / "mentora_xblocks" / sys.argv[1]

    def translate(domain, localedir, msgid):
        try:
            return gettext.translation(domain, localedir=str(localedir), languages=["fr"]).gettext(msgid)
        except OSError as error:
            return "error: " + str(error)

    distribution = metadata.distribution("mentora")
    print(json.dumps({
        "plugin_dir": str(plugin),
        "settings_configured": settings.configured,
        "entry_points": sorted([ep.group, ep.name, ep.value] for ep in distribution.entry_points),
        "django_fr": translate("django", plugin / "locale", "Trainers"),
        "block_fr": translate("text", block / "translations", "Trainers"),
    }))
    """
)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel, built by ``python -m build --wheel`` from a copy of the work tree."""
    work = tmp_path_factory.mktemp("packaging")
    source = work / "source"
    shutil.copytree(ROOT, source, ignore=_ignore, symlinks=True)
    dist = work / "dist"
    _run([sys.executable, "-m", "build", "--wheel", "--outdir", str(dist)], cwd=source, timeout=900,
         env=_clean_env())
    wheels = list(dist.glob("mentora-*.whl"))
    assert len(wheels) == 1, f"expected one wheel, found {wheels}"
    return wheels[0]


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> dict:
    """What the wheel looks like once installed in a fresh venv, as reported from inside that venv."""
    work = tmp_path_factory.mktemp("venv")
    venv = work / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], cwd=work, timeout=300)
    python = venv / "bin" / "python"
    _run([str(python), "-m", "pip", "install", "--quiet", str(wheel), "-c", str(_constraints())], cwd=work,
         timeout=1800, env=_clean_env())
    report = json.loads(_run([str(python), "-c", _INSPECT, BLOCK], cwd=work, timeout=300, env=_clean_env()))
    report["venv"] = str(venv)
    return report


def test_the_installed_package_is_the_wheel_and_imports_without_django_settings(installed):
    assert Path(installed["plugin_dir"]).is_relative_to(installed["venv"]), installed["plugin_dir"]
    # Importing the package and its host app did not need (or configure) Django settings: the LMS imports
    # plugins while its own settings are still loading.
    assert installed["settings_configured"] is False


def test_the_platform_entry_points_are_declared(installed):
    declared = {(group, name) for group, name, _value in installed["entry_points"]}
    for group in ("lms.djangoapp", "cms.djangoapp"):
        apps = {"mentora", "mentora_host", "mentora_booking", "mentora_trainers", "mentora_reviews", "mentora_badges",
                "mentora_communities"}
        assert {(group, app) for app in apps} <= declared, group
    assert ("xblock.v1", "mentora_course_team") in declared


def test_the_french_catalogs_are_compiled_where_django_and_the_xblock_runtime_look(installed):
    plugin = Path(installed["plugin_dir"])
    django_mo = plugin / "locale" / "fr" / "LC_MESSAGES" / "django.mo"
    block_mo = plugin.parent / "mentora_xblocks" / BLOCK / "translations" / "fr" / "LC_MESSAGES" / "text.mo"
    assert django_mo.is_file(), f"{django_mo} is not in the installed wheel"
    assert block_mo.is_file(), f"{block_mo} is not in the installed wheel"
    assert installed["django_fr"] == "Formateurs"
    assert installed["block_fr"] == "Formateurs"


def test_static_files_and_templates_are_installed(installed):
    plugin = Path(installed["plugin_dir"])
    expected = [
        plugin / "static" / "mentora" / "css" / "mentora.css",
        plugin.parent / "mentora_xblocks" / BLOCK / "public" / "css" / "mentora.css",
        plugin / "templates" / "mentora" / "course_home.html",
    ]
    missing = [str(path) for path in expected if not path.is_file()]
    assert not missing, f"not in the installed wheel: {missing}"


def test_the_wheel_holds_only_the_plugin_packages(wheel):
    with zipfile.ZipFile(wheel) as archive:
        top_level = {name.split("/", 1)[0] for name in archive.namelist()}
    assert not {"tests", "devsite"} & top_level, sorted(top_level)
    packages = {name for name in top_level if not name.endswith((".dist-info", ".data"))}
    assert packages == {"mentora_plugin", "mentora_xblocks"}, sorted(packages)
