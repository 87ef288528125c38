"""
Run axe-core in the page under test and keep the violations that block people: impact "serious" or "critical".

axe-selenium-python 3.0.0 bundles axe-core (``node_modules/axe-core/axe.min.js``), which is used here. Its
``Axe.run`` writes the context and options into the script with Python's ``repr`` (``True``/``None`` are not
JavaScript), so the bundled script is injected directly and ``axe.run`` receives its arguments as JSON values.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import axe_selenium_python
from selenium.webdriver.remote.webdriver import WebDriver

AXE_SCRIPT = Path(axe_selenium_python.__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING_IMPACTS = frozenset({"serious", "critical"})

_RUN = """
const [context, options, done] = arguments;
axe.run(context || document, options).then(
  (results) => done({
    passes: results.passes.length,
    violations: results.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map((n) => ({target: n.target, summary: n.failureSummary})),
    })),
  }),
  (error) => done({error: String(error)}),
);
"""


def axe_violations(driver: WebDriver, include: str | None = None) -> list[dict[str, Any]]:
    """
    Every axe violation of the page (or of the elements matching the CSS selector ``include``), blocking or not.

    Raises AssertionError when axe fails to run or checks nothing, so that a wrong scope cannot pass silently.
    """
    driver.execute_script(AXE_SCRIPT.read_text(encoding="utf-8"))
    context = {"include": [[include]]} if include else None
    options = {"resultTypes": ["violations"]}
    result = driver.execute_async_script(_RUN, context, options)
    assert "error" not in result, result.get("error")
    assert result["passes"] > 0, "axe checked nothing: is the page (or the include selector) empty?"
    return result["violations"]


def blocking(violations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The violations with impact "serious" or "critical"."""
    return [violation for violation in violations if violation["impact"] in BLOCKING_IMPACTS]


def describe(violations: list[dict[str, Any]]) -> str:
    """A readable list of violations, for assertion messages."""
    return "\n".join(
        f"{v['impact']}: {v['id']} ({v['help']}) at {[node['target'] for node in v['nodes']]}" for v in violations
    )
