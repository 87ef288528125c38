"""Offline Open Badges 2.0 validation demo with 1EdTech's validator core (PyPI `openbadges` 1.1.2).

All HTTP (JSON-LD context + our hosted Assertion/BadgeClass/Issuer/image) is served by `responses`,
so any unexpected network access raises ConnectionError instead of going online.
"""
import copy
import hashlib
import io
import json
import warnings

warnings.filterwarnings("ignore")
import logging
logging.getLogger("openbadges.verifier").disabled = True  # task exceptions are logged with tracebacks

import responses
from PIL import Image
from PIL.PngImagePlugin import PngInfo

import openbadges
from openbadges.verifier.openbadges_context import (
    OPENBADGES_CONTEXT_V2_DICT, OPENBADGES_CONTEXT_V2_URI)

BASE = "https://lms.example.org/openbadges"
ASSERTION_URL = BASE + "/assertions/abc123"
BADGECLASS_URL = BASE + "/badges/python101"
ISSUER_URL = BASE + "/issuers/example-university"
IMAGE_URL = BASE + "/badges/python101/image.png"
RECIPIENT = "learner@example.com"
SALT = "s4lt-9f2c"


def png_bytes(color=(30, 120, 200), itxt=None):
    img = Image.new("RGB", (64, 64), color)
    buf = io.BytesIO()
    info = None
    if itxt is not None:
        info = PngInfo()
        info.add_itxt("openbadges", itxt)  # iTXt, keyword "openbadges", uncompressed, no lang
    img.save(buf, "PNG", pnginfo=info)
    return buf.getvalue()


BADGE_IMAGE = png_bytes()

ISSUER = {
    "@context": OPENBADGES_CONTEXT_V2_URI,
    "type": "Issuer",
    "id": ISSUER_URL,
    "name": "Example University",
    "url": "https://lms.example.org",
    "email": "badges@example.org",
}
BADGECLASS = {
    "@context": OPENBADGES_CONTEXT_V2_URI,
    "type": "BadgeClass",
    "id": BADGECLASS_URL,
    "name": "Python 101",
    "description": "Completed the Python 101 course.",
    "image": IMAGE_URL,
    "criteria": {"narrative": "Pass all graded units with 70% or more."},
    "issuer": ISSUER_URL,
}


def make_assertion(email=RECIPIENT, **overrides):
    a = {
        "@context": OPENBADGES_CONTEXT_V2_URI,
        "type": "Assertion",
        "id": ASSERTION_URL,
        "recipient": {
            "type": "email",
            "hashed": True,
            "salt": SALT,
            "identity": "sha256$" + hashlib.sha256((email + SALT).encode()).hexdigest(),
        },
        "badge": BADGECLASS_URL,
        "verification": {"type": "HostedBadge"},
        "issuedOn": "2024-01-15T10:00:00+00:00",
    }
    a.update(overrides)
    return a


def serve(rsps, assertion, badgeclass=BADGECLASS, issuer=ISSUER):
    j = "application/ld+json"
    rsps.add(responses.GET, OPENBADGES_CONTEXT_V2_URI, json=OPENBADGES_CONTEXT_V2_DICT, content_type=j)
    rsps.add(responses.GET, ASSERTION_URL, json=assertion, content_type=j)
    rsps.add(responses.GET, BADGECLASS_URL, json=badgeclass, content_type=j)
    rsps.add(responses.GET, ISSUER_URL, json=issuer, content_type=j)
    rsps.add(responses.GET, IMAGE_URL, body=BADGE_IMAGE, content_type="image/png")


def run(label, assertion, badge_input, recipient_email=RECIPIENT, badgeclass=BADGECLASS):
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        serve(rsps, assertion, badgeclass=badgeclass)
        result = openbadges.verify(
            badge_input,
            recipient_profile={"email": recipient_email} if recipient_email else None,
            use_cache=False, cache_backend=None,  # plain requests.Session, no requests_cache
        )
    rep = result["report"]
    print("%-42s valid=%-5s errors=%d warnings=%d version=%s" % (
        label, rep["valid"], rep["errorCount"], rep["warningCount"], rep.get("openBadgesVersion")))
    for m in rep["messages"]:
        print("      %s: %s" % (m["messageLevel"], m.get("result", m.get("name"))[:150]))
    return rep


if __name__ == "__main__":
    good = make_assertion()
    r1 = run("1 hosted URL", good, ASSERTION_URL)
    r2 = run("2 baked PNG (iTXt = assertion URL)", good, io.BytesIO(png_bytes(itxt=ASSERTION_URL)))
    r3 = run("3 baked PNG (iTXt = assertion JSON)", good, io.BytesIO(png_bytes(itxt=json.dumps(good))))
    r4 = run("4 wrong recipient (profile email differs)", good, ASSERTION_URL, recipient_email="mallory@example.com")
    r5 = run("5 expired", make_assertion(expires="2024-02-01T00:00:00+00:00"), ASSERTION_URL)
    # 6: baked JSON altered (recipient hash swapped) vs. hosted copy; hosted verification refetches by id
    tampered = make_assertion(email="mallory@example.com")
    r6 = run("6 tampered baked JSON, checked vs mallory", good,
             io.BytesIO(png_bytes(itxt=json.dumps(tampered))), recipient_email="mallory@example.com")
    r6b = run("6b same tampered PNG, no recipient_profile", good,
              io.BytesIO(png_bytes(itxt=json.dumps(tampered))), recipient_email=None)
    # 7: hosted copy served from an origin not allowed by the issuer (id on another domain)
    evil = make_assertion(id="https://evil.example.net/a/1")
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        serve(rsps, good)
        rsps.add(responses.GET, evil["id"], json=evil, content_type="application/ld+json")
        res = openbadges.verify(evil["id"], recipient_profile={"email": RECIPIENT}, use_cache=False, cache_backend=None)
    print("%-42s valid=%-5s errors=%d" % ("7 assertion hosted off issuer origin", res["report"]["valid"], res["report"]["errorCount"]))
    for m in res["report"]["messages"]:
        print("      %s: %s" % (m["messageLevel"], m.get("result")[:150]))
    # 8: BadgeClass missing required 'criteria' and bad issuer reference
    bad_bc = {k: v for k, v in BADGECLASS.items() if k != "criteria"}
    r8 = run("8 BadgeClass without criteria", good, ASSERTION_URL, badgeclass=bad_bc)
    # 9a: hosted assertion with revoked:true served 200 -> NOT detected by validator-core 1.1.2
    r9a = run("9a revoked:true in hosted JSON (200)", dict(good, revoked=True, revocationReason="x"), ASSERTION_URL)
    # 9: revoked via hosted URL returning 410
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.add(responses.GET, OPENBADGES_CONTEXT_V2_URI, json=OPENBADGES_CONTEXT_V2_DICT)
        rsps.add(responses.GET, ASSERTION_URL, json={"@context": OPENBADGES_CONTEXT_V2_URI, "id": ASSERTION_URL,
                                                     "revoked": True, "revocationReason": "cheating"}, status=410)
        res = openbadges.verify(ASSERTION_URL, use_cache=False, cache_backend=None)
    print("%-42s valid=%-5s errors=%d" % ("9 revoked (410 + revoked:true)", res["report"]["valid"], res["report"]["errorCount"]))
    for m in res["report"]["messages"]:
        print("      %s: %s" % (m["messageLevel"], m.get("result")[:150]))

    assert r1["valid"] and r1["errorCount"] == 0
    assert r2["valid"] and r2["errorCount"] == 0
    assert r3["valid"] and r3["errorCount"] == 0
    assert not r4["valid"] and not r5["valid"] and not r6["valid"]
    print("ALL EXPECTATIONS MET")
