"""
Run 1EdTech's Open Badges 2.0 validator (PyPI ``openbadges`` 1.1.2) offline over files our views produced.

Runs INSIDE the validator's own venv (``bash scripts/ob2_validator.sh`` prints its python), never under pytest
(the name does not match ``test_*.py``): ``tests/test_badges_ob2.py`` starts it with subprocess.

    <ob2 python> tests/ob2_validate.py DIR

``DIR/routes.json`` maps each URL to what answers it: ``{url: {"file": name in DIR, "content_type": ...,
"status": 200}}``; the JSON-LD context ``https://w3id.org/openbadges/v2`` is served from the copy the package ships.
Every fetch goes through ``responses``: a URL that is not listed fails with ConnectionError, so nothing reaches the
network. ``DIR/cases.json`` lists the checks: ``[{"name", "input", "recipient", "routes"}]`` where ``input`` is a
URL, a JSON string (an assertion), or ``file:NAME`` (a baked PNG in DIR, passed as a file object), ``recipient``
an email (the recipient profile) or null, and ``routes`` overrides some routes for that case only (a tampered
assertion). Prints ``{name: report}`` as JSON, each report being ``openbadges.verify(...)["report"]`` plus
``fetched`` (the URLs the validator asked for).
"""
from __future__ import annotations

import json
import logging
import sys
import warnings
from pathlib import Path


def main(directory: str) -> int:
    warnings.filterwarnings("ignore")
    # The validator logs each failing task with its traceback; the report carries the message.
    logging.getLogger("openbadges.verifier").disabled = True
    import openbadges
    import responses
    from openbadges.verifier.openbadges_context import OPENBADGES_CONTEXT_V2_DICT, OPENBADGES_CONTEXT_V2_URI

    folder = Path(directory)
    routes = json.loads((folder / "routes.json").read_text("utf-8"))
    cases = json.loads((folder / "cases.json").read_text("utf-8"))
    reports = {}
    for case in cases:
        served = {**routes, **(case.get("routes") or {})}
        with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
            mock.add(responses.GET, OPENBADGES_CONTEXT_V2_URI, json=OPENBADGES_CONTEXT_V2_DICT,
                     content_type="application/ld+json")
            for url, route in served.items():
                mock.add(responses.GET, url, body=(folder / route["file"]).read_bytes(),
                         status=route.get("status", 200), content_type=route["content_type"])
            badge_input = case["input"]
            handle = None
            if badge_input.startswith("file:"):
                handle = badge_input = open(folder / badge_input[len("file:"):], "rb")  # noqa: SIM115
            try:
                result = openbadges.verify(
                    badge_input,
                    recipient_profile={"email": case["recipient"]} if case.get("recipient") else None,
                    use_cache=False, cache_backend=None,
                )
            finally:
                if handle is not None:
                    handle.close()
            report = dict(result["report"])
            report["fetched"] = [call.request.url for call in mock.calls]
        reports[case["name"]] = report
    json.dump(reports, sys.stdout, default=str)
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(f"usage: {sys.argv[0]} DIR (with routes.json and cases.json)")
    sys.exit(main(sys.argv[1]))
