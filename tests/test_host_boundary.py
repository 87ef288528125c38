"""Only ``mentora_plugin.host`` may name an edx-platform module, and only lazily (inside functions)."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLATFORM_PACKAGES = ("lms", "cms", "common", "openedx", "xmodule")


def platform_imports(path: Path) -> list[tuple[int, str, bool]]:
    """(line, module, at module level?) for every import of an edx-platform package, static or by string."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    top_level = {id(node) for node in tree.body}
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.count(".") >= 2:
            names = [node.value] if " " not in node.value and "/" not in node.value else []
        for name in names:
            if name.split(".")[0] in PLATFORM_PACKAGES and not name.startswith("openedx_"):
                found.append((node.lineno, name, id(node) in top_level))
    return found


def test_nothing_outside_host_names_the_platform():
    offenders = [
        f"{path.relative_to(ROOT)}:{line} {name}"
        for package in ("mentora_plugin", "mentora_xblocks")
        for path in (ROOT / package).rglob("*.py")
        if "host" not in path.relative_to(ROOT).parts and "migrations" not in path.parts
        for line, name, _top in platform_imports(path)
    ]
    assert offenders == []


def test_host_imports_the_platform_only_lazily():
    offenders = [
        f"{path.relative_to(ROOT)}:{line} {name}"
        for path in (ROOT / "mentora_plugin" / "host").rglob("*.py")
        for line, name, top in platform_imports(path)
        if top
    ]
    assert offenders == []
    assert platform_imports(ROOT / "mentora_plugin" / "host" / "compat.py"), "the check must see compat's imports"


#: Which Mentora domains each domain may import (DESIGN.md: everything may use host and trainers; no cycles).
DOMAINS = ("host", "trainers", "booking", "reviews", "badges", "communities", "live", "earnings", "dashboard")
MAY_IMPORT = {"host": set(), "trainers": {"host"}, "booking": {"host", "trainers"}, "reviews": {"host", "trainers"},
              "badges": {"host", "trainers", "reviews"}, "communities": {"host", "trainers", "reviews"}}


def _mentora_domains_named(path: Path) -> set[str]:
    """The Mentora domains that a module imports, statically or by dotted string (e.g. a signal's path)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    named = set()
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "mentora_plugin" and len(parts) > 1 and parts[1] in DOMAINS:
                named.add(parts[1])
    return named


def test_domains_depend_one_way():
    """
    host imports no domain; trainers imports only host (it hears the others through their events); booking and
    reviews import only host and trainers; badges import host, trainers and reviews.
    """
    offenders = [
        f"{path.relative_to(ROOT)} imports {sorted(extra)}"
        for domain, allowed in MAY_IMPORT.items()
        for path in (ROOT / "mentora_plugin" / domain).rglob("*.py")
        if (extra := _mentora_domains_named(path) - allowed - {domain})
    ]
    assert offenders == []
    assert _mentora_domains_named(ROOT / "mentora_plugin" / "trainers" / "common.py") == {"host", "trainers"}
