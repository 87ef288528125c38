"""
Our Open Badges 2.0 outputs through 1EdTech's reference validator (PyPI ``openbadges`` 1.1.2), offline.

Every byte the validator sees comes from our views through the Django test client: the hosted Assertion, its
BadgeClass, the Issuer, the image, and the baked PNG and SVG downloads. They are written to a folder with
``routes.json`` (URL -> file), and ``tests/ob2_validate.py`` runs in the validator's own venv (PyLD 0.7.1 cannot
live in ours) and serves them with ``responses`` (nothing reaches the network). Made by ``scripts/ob2_validator.sh``,
which ``scripts/test.sh`` runs during set-up: a missing venv FAILS here, with how to make it.

Valid: the hosted assertion for the right email, the baked PNG (and the assertion a baked SVG carries: the
validator reads PNG files only). Invalid: another email, an expired award, a tampered assertion (recipient or badge
swapped, hosted or baked). The validator does not check ``revoked`` in hosted
assertions, so revocation is checked on our own outputs.
"""
from __future__ import annotations

import copy
import json
import os
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from mentora_plugin.badges import baking, openbadges2
from mentora_plugin.badges.common import recipient_hash
from mentora_plugin.trainers.models import Skill
from tests.test_badges_public import BASE, _public_base, body, make_award, make_badge_class, path_of  # noqa: F401

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
OB2_VENV = Path(os.environ.get("MENTORA_OB2_VENV") or ROOT / ".cache" / "venv-ob2")
JSONLD = "application/ld+json"


def validator_python() -> Path:
    """The validator venv's interpreter; fail (never skip) with the command that makes it."""
    python = OB2_VENV / "bin" / "python"
    if not python.exists() or not (OB2_VENV / ".mentora-ob2.stamp").exists():
        pytest.fail(f"The Open Badges 2.0 validator's venv is missing or incomplete ({OB2_VENV}). Make it with:\n"
                    f"    bash scripts/ob2_validator.sh\n(scripts/test.sh runs it during set-up.)")
    return python


class Site:
    """The files our views serve, gathered for the validator: ``fetch`` a path, keep its bytes under its URL."""

    def __init__(self, client, folder: Path) -> None:
        self.client, self.folder, self.routes, self.files = client, folder, {}, 0

    def fetch(self, url: str, accept: str = f"{JSONLD}, application/json") -> bytes:
        response = self.client.get(path_of(url), HTTP_ACCEPT=accept)
        assert response.status_code == 200, (url, response.status_code)
        data = body(response)
        self.serve(url, data, response["Content-Type"].split(";")[0])
        return data

    def serve(self, url: str, data: bytes, content_type: str = JSONLD) -> None:
        self.routes[url] = self.route(data, content_type)

    def route(self, data: bytes, content_type: str = JSONLD) -> dict:
        """A route to ``data`` that only the cases naming it serve (a tampered copy)."""
        self.files += 1
        name = f"file{self.files}"
        (self.folder / name).write_bytes(data)
        return {"file": name, "content_type": content_type}

    def save(self, name: str, data: bytes) -> str:
        (self.folder / name).write_bytes(data)
        return f"file:{name}"

    def publish_award(self, award) -> dict:
        """Fetch the award's assertion and everything it points to; return the assertion."""
        document = json.loads(self.fetch(openbadges2.assertion_url(award.public_id)))
        badge_class = json.loads(self.fetch(document["badge"]))
        self.fetch(badge_class["issuer"])
        self.fetch(badge_class["image"], accept="image/*")
        return document


def run_validator(site: Site, cases: list[dict]) -> dict[str, dict]:
    (site.folder / "routes.json").write_text(json.dumps(site.routes), "utf-8")
    (site.folder / "cases.json").write_text(json.dumps(cases), "utf-8")
    done = subprocess.run(
        [str(validator_python()), str(ROOT / "tests" / "ob2_validate.py"), str(site.folder)],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(done.stdout)


def errors(report: dict) -> list[str]:
    return [message.get("result", "") for message in report["messages"] if message["messageLevel"] == "ERROR"]


@pytest.fixture
def reports(client, make_user, tmp_path):
    """One validator run over every case (starting the validator's interpreter once)."""
    learner, trainer = make_user("lea"), make_user("tom")
    Skill.objects.create(slug="python", name="Python programming")
    png_class = make_badge_class(skills=["python"])
    good = make_award(png_class, learner, issued_by=trainer, narrative="A *great* project.",
                      evidence=[{"url": "https://example.org/projects/7", "name": "Final project",
                                 "narrative": "Scored 92%."}])
    expired = make_award(png_class, learner, salt="other-salt", issued_on=timezone.now() - timedelta(days=400),
                         expires_on=timezone.now() - timedelta(days=35))
    svg_award = make_award(make_badge_class("svg", name="SVG badge"), learner, salt="svg-salt")

    site = Site(client, tmp_path)
    hosted = site.publish_award(good)
    site.publish_award(expired)
    site.publish_award(svg_award)
    # the criteria page and the skill page the BadgeClass links to answer too
    badge_class = json.loads((tmp_path / site.routes[hosted["badge"]]["file"]).read_bytes())
    site.fetch(badge_class["criteria"]["id"], accept="text/html")
    site.fetch(badge_class["alignment"][0]["targetUrl"], accept="text/html")

    baked_png = site.save("baked.png", site.fetch(openbadges2.baked_url(good.public_id, "png"), accept="image/png"))
    # The validator reads PNG files only: an SVG's baked assertion is handed to it as the JSON it carries.
    baked_svg = baking.unbake_svg(site.fetch(openbadges2.baked_url(svg_award.public_id, "svg"),
                                             accept="image/svg+xml"))

    # Tampering. (1) The hosted assertion served with Mallory's hash as its recipient.
    mallory_hash = recipient_hash("mallory@example.com", good.salt)
    swapped_recipient = copy.deepcopy(hosted)
    swapped_recipient["recipient"]["identity"] = mallory_hash
    # (2) The hosted assertion served pointing to a badge class (and issuer) that another domain hosts.
    forged_class_url, forged_issuer_url = "https://evil.example.net/classes/1/", "https://evil.example.net/issuer/"
    swapped_badge = dict(hosted, badge=forged_class_url)
    forged_class = dict(badge_class, id=forged_class_url, issuer=forged_issuer_url, name="Forged")
    forged_issuer = {"@context": openbadges2.CONTEXT, "type": "Issuer", "id": forged_issuer_url, "name": "Evil",
                     "url": "https://evil.example.net/", "email": "evil@example.net"}
    forged = {url: site.route(json.dumps(document).encode())
              for url, document in ((forged_class_url, forged_class), (forged_issuer_url, forged_issuer))}
    # (3) The baked PNG re-baked with Mallory's hash (her claim to Lea's badge).
    tampered_png = site.save("tampered.png", baking.bake_png(
        (tmp_path / "baked.png").read_bytes(), dict(hosted, recipient=dict(hosted["recipient"], identity=mallory_hash))
    ))
    assertion_url = hosted["id"]

    def swapped(document: dict) -> dict:
        return {assertion_url: site.route(json.dumps(document).encode())}

    cases = [
        {"name": "hosted", "input": assertion_url, "recipient": "lea@example.com"},
        {"name": "baked png", "input": baked_png, "recipient": "lea@example.com"},
        {"name": "baked png, no profile", "input": baked_png, "recipient": None},
        {"name": "baked svg's assertion", "input": baked_svg, "recipient": "lea@example.com"},
        {"name": "wrong recipient", "input": assertion_url, "recipient": "mallory@example.com"},
        {"name": "expired", "input": openbadges2.assertion_url(expired.public_id), "recipient": "lea@example.com"},
        {"name": "tampered recipient", "input": assertion_url, "recipient": "lea@example.com",
         "routes": swapped(swapped_recipient)},
        {"name": "tampered badge", "input": assertion_url, "recipient": "lea@example.com",
         "routes": {**swapped(swapped_badge), **forged}},
        {"name": "tampered baked png", "input": tampered_png, "recipient": "mallory@example.com"},
    ]
    return {"reports": run_validator(site, cases), "hosted": hosted, "good": good}


def test_the_hosted_assertion_is_valid(reports):
    report = reports["reports"]["hosted"]
    assert report["valid"] is True and report["errorCount"] == 0, report["messages"]
    assert report["openBadgesVersion"] == "2.0"
    hosted = reports["hosted"]
    fetched = reports["reports"]["hosted"]["fetched"]
    assert hosted["id"] in fetched and hosted["badge"] in fetched and f"{BASE}/badges/issuer/" in fetched


def test_the_baked_images_are_valid(reports):
    for name in ("baked png", "baked png, no profile", "baked svg's assertion"):
        report = reports["reports"][name]
        assert report["valid"] is True and report["errorCount"] == 0, (name, report["messages"])


def test_another_recipient_is_refused(reports):
    report = reports["reports"]["wrong recipient"]
    assert report["valid"] is False and report["errorCount"] >= 1
    assert any("did not match" in message for message in errors(report)), report["messages"]


def test_an_expired_award_is_refused(reports):
    report = reports["reports"]["expired"]
    assert report["valid"] is False
    assert any("expired" in message for message in errors(report)), report["messages"]


def test_tampered_assertions_are_refused(reports):
    for name in ("tampered recipient", "tampered badge", "tampered baked png"):
        report = reports["reports"][name]
        assert report["valid"] is False and report["errorCount"] >= 1, (name, report["messages"])
    assert any("allowed origins" in message or "origin" in message.lower()
               for message in errors(reports["reports"]["tampered badge"])), reports["reports"]["tampered badge"]


def test_revocation_is_in_our_own_outputs(client, make_user):
    """The validator does not check ``revoked``: the hosted JSON and the verification page say it."""
    award = make_award(make_badge_class(), make_user("lea"))
    award.revoked_at, award.revocation_reason = timezone.now(), "Plagiarised project."
    award.save()
    response = client.get(path_of(openbadges2.assertion_url(award.public_id)))
    assert response.status_code == 200 and response["Content-Type"].startswith(JSONLD)
    document = json.loads(body(response))
    assert (document["revoked"], document["revocationReason"]) == (True, "Plagiarised project.")
    page = client.get(path_of(openbadges2.verify_url(award.public_id))).content.decode()
    assert "Revoked on" in page and "Plagiarised project." in page
