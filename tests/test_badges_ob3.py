"""
Our Open Badges 3.0 credentials through an independent verifier: PyPI ``openbadgeslib`` 4.6.3 (``[ldp]`` extra),
``openbadgeslib.ob3.ldp.OB3LdpVerifier``, which re-canonicalises with its own pinned copies of the JSON-LD contexts
and resolves our ``did:key`` verification methods itself.

Offline: openbadgeslib serves contexts from its own bundle and resolves did:key without fetching; to prove it,
every socket connection fails during these tests (``_no_network``), and ``download=`` (its fetcher for did:web and
status lists) is a function that fails the test if called.

What the verifier supports, and so what is asserted through it: the signature (tampered name, recipient hash or
validUntil fail), the did:key binding, the validity window (an expired award fails). It does not implement the
1EdTech Revocation List status method (only Bitstring Status Lists): asked to check status it refuses our credential
as "unsupported", which is asserted as such; revocation itself is checked on our own revocation list.
"""
from __future__ import annotations

import copy
import json
import socket
from datetime import timedelta
from io import StringIO

import pytest
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.core.management import call_command
from django.utils import timezone
from openbadgeslib.ob3.ldp import OB3LdpVerifier
from openbadgeslib.ob3.verifier import OB3VerificationError

from mentora_plugin.badges import keys, openbadges3
from mentora_plugin.badges.common import BadgesError
from mentora_plugin.badges.models import SigningKey
from mentora_plugin.trainers.models import Skill
from tests.test_badges_public import BASE, _public_base, body, make_award, make_badge_class, path_of  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    """Any connection attempt (a context or DID fetch) fails loudly instead of reaching the network."""
    def refuse(self, address):
        raise AssertionError(f"network access attempted: {address!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)


def no_download(url: str) -> bytes:
    raise AssertionError(f"openbadgeslib tried to download {url}")


def verify(document: str | dict, **options):
    """openbadgeslib's verdict on ``document``: the credential, or OB3VerificationError."""
    text = document if isinstance(document, str) else json.dumps(document)
    return OB3LdpVerifier().verify(text, download=no_download, **options)


@pytest.fixture
def learner(make_user):
    return make_user("lea", first_name="Léa", last_name="Martin")


@pytest.fixture
def award(learner, make_user):
    Skill.objects.create(slug="python", name="Python programming")
    badge_class = make_badge_class(skills=["python"], kind="certificate")
    return make_award(
        badge_class, learner, issued_by=make_user("tom"), narrative="Great *final* project.",
        expires_on=timezone.now() + timedelta(days=365),
        evidence=[{"url": "https://example.org/projects/7", "name": "Final project", "narrative": "Scored 92%."}],
    )


def fetch(client, award) -> str:
    """The credential as our view serves it (the text a holder downloads)."""
    response = client.get(f"/badges/assertions/{award.public_id}/credential")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json; charset=utf-8"
    assert response["Access-Control-Allow-Origin"] == "*"
    return body(response).decode("utf-8")


class TestCredential:
    def test_the_served_credential_verifies_with_openbadgeslib(self, client, award):
        text = fetch(client, award)
        verified = verify(text)
        assert type(verified).__name__ == "OpenBadgeCredential"
        document = json.loads(text)
        key = SigningKey.objects.get(retired_at__isnull=True)
        assert document["id"] == f"{BASE}/badges/assertions/{award.public_id}/credential"
        assert path_of(document["id"]) == f"/badges/assertions/{award.public_id}/credential"
        assert document["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
        assert document["issuer"]["id"] == key.key_id.partition("#")[0]
        assert document["issuer"]["name"] == "Example Academy"
        assert document["proof"]["verificationMethod"] == key.key_id
        assert document["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
        assert document["proof"]["proofValue"].startswith("z")
        assert document["credentialStatus"] == {"id": f"{BASE}/badges/revocations/", "type": "1EdTechRevocationList"}

    def test_what_it_says_about_the_award(self, client, award):
        document = json.loads(fetch(client, award))
        subject = document["credentialSubject"]
        assert subject["identifier"] == [{
            "type": "IdentityObject", "identityHash": award.recipient_hash, "identityType": "emailAddress",
            "hashed": True, "salt": award.salt,
        }]
        achievement = subject["achievement"]
        badge_class = award.badge_class
        assert achievement["id"] == f"{BASE}/badges/classes/{badge_class.public_id}/"
        assert achievement["achievementType"] == "Certificate"
        assert achievement["criteria"]["narrative"] == badge_class.criteria
        assert achievement["image"] == {"id": f"{BASE}/badges/classes/{badge_class.public_id}/image", "type": "Image"}
        assert achievement["alignment"] == [{
            "type": ["Alignment"], "targetName": "Python programming", "targetUrl": f"{BASE}/badges/skills/python/",
            "targetFramework": "Mentora skills",
        }]
        assert document["validFrom"] == award.issued_on.strftime("%Y-%m-%dT%H:%M:%SZ")
        assert document["validUntil"] == award.expires_on.strftime("%Y-%m-%dT%H:%M:%SZ")
        assert {"type": ["Evidence"], "id": "https://example.org/projects/7", "name": "Final project",
                "narrative": "Scored 92%."} in document["evidence"]
        text = json.dumps(document)
        assert "lea@example.com" not in text and "Léa" not in text and "BEGIN PRIVATE KEY" not in text

    @pytest.mark.parametrize("tamper", [
        lambda document: document.update(name="Python, the experts"),
        lambda document: document["credentialSubject"]["identifier"][0].update(identityHash="sha256$" + "0" * 64),
        lambda document: document.update(validUntil="2099-01-01T00:00:00Z"),
        lambda document: document["credentialSubject"]["achievement"].update(achievementType="Competency"),
    ], ids=["name", "recipient-hash", "valid-until", "achievement-type"])
    def test_a_tampered_credential_fails(self, client, award, tamper):
        document = json.loads(fetch(client, award))
        verify(document)  # the untouched copy verifies
        tampered = copy.deepcopy(document)
        tamper(tampered)
        with pytest.raises(OB3VerificationError, match="signature mismatch"):
            verify(tampered)

    def test_a_proof_by_another_key_than_the_issuers_fails(self, client, award):
        document = json.loads(fetch(client, award))
        other = keys.rotate_signing_key()
        resigned = openbadges3.sign(document, other)  # a valid proof, but not by the issuer the credential names
        with pytest.raises(OB3VerificationError, match="does not belong to the credential issuer"):
            verify(resigned)

    def test_an_expired_award_fails_as_expired(self, client, learner):
        expired = make_award(make_badge_class(), learner, issued_on=timezone.now() - timedelta(days=400),
                             expires_on=timezone.now() - timedelta(days=35))
        with pytest.raises(OB3VerificationError, match="expired"):
            verify(fetch(client, expired))

    def test_unknown_awards_are_404_and_only_get_is_allowed(self, client, award):
        assert client.get("/badges/assertions/00000000-0000-4000-8000-000000000000/credential").status_code == 404
        assert client.post(f"/badges/assertions/{award.public_id}/credential").status_code == 405

    def test_the_verification_page_links_the_credential(self, client, award):
        page = client.get(f"/badges/assertions/{award.public_id}/verify/").content.decode()
        assert f'href="/badges/assertions/{award.public_id}/credential"' in page
        assert "Download the Open Badges 3.0 credential" in page


class TestSigning:
    def test_contexts_are_never_fetched(self):
        with pytest.raises(Exception, match="never fetched"):
            openbadges3.document_loader("https://example.org/evil-context.jsonld")

    @pytest.mark.parametrize("extra", [
        {"mentoraSecretGrade": "A+"},  # no context defines it: JSON-LD would drop it from the signed data
        {"evidence": [{"type": ["Evidence"], "id": "projects/7"}]},  # a relative IRI, resolved against nothing
    ], ids=["undefined-term", "relative-iri"])
    def test_what_the_signature_would_not_cover_is_refused(self, award, extra):
        key = keys.active_key()
        document = openbadges3.credential_json(award, key=key)
        document.update(extra)
        with pytest.raises(BadgesError) as raised:
            openbadges3.sign(document, key)
        assert raised.value.code == "credential_not_signable"

    def test_signing_is_reproducible_for_the_same_instant(self, award):
        key = keys.active_key()
        document = openbadges3.credential_json(award, key=key)
        moment = timezone.now()
        assert openbadges3.sign(document, key, created=moment) == openbadges3.sign(document, key, created=moment)


class TestKeys:
    def test_the_first_use_creates_one_active_key_and_later_uses_reuse_it(self):
        assert SigningKey.objects.count() == 0
        first = keys.active_key()
        assert keys.active_key().pk == first.pk
        assert SigningKey.objects.count() == 1
        assert first.key_id == f"did:key:{first.public_key_multibase}#{first.public_key_multibase}"
        assert first.public_key_multibase.startswith("z6Mk")  # an Ed25519 multikey
        assert "BEGIN PRIVATE KEY" in first.private_key

    def test_two_keys_made_at_once_converge_on_the_newest(self):
        """What two processes racing on the first use leave behind: the next call retires the older one."""
        keys._new_key()
        newest = keys._new_key()
        assert keys.active_key().pk == newest.pk
        assert SigningKey.objects.filter(retired_at__isnull=True).count() == 1
        assert SigningKey.objects.count() == 2  # nothing is deleted: either may have signed already

    def test_rotation_keeps_old_credentials_valid_and_signs_new_ones_with_the_new_key(self, client, award):
        old_text = fetch(client, award)
        old_key = SigningKey.objects.get(retired_at__isnull=True)
        new_key = keys.rotate_signing_key()
        old_key.refresh_from_db()
        assert old_key.retired_at is not None and new_key.retired_at is None
        verify(old_text)  # the holder's earlier download still verifies
        new_document = json.loads(fetch(client, award))
        verify(new_document)
        assert new_document["proof"]["verificationMethod"] == new_key.key_id != old_key.key_id
        assert new_document["issuer"]["id"] == keys.did_of(new_key)

    def test_two_rotations_keep_every_key_published(self, client, award):
        first = keys.active_key()
        second = keys.rotate_signing_key()
        third = keys.rotate_signing_key()
        published = keys.published_keys()
        assert [key.key_id for key in published] == [first.key_id, second.key_id, third.key_id]
        assert [key.retired_at is None for key in published] == [False, False, True]
        response = client.get("/badges/keys/")
        assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
        listed = json.loads(body(response))
        assert listed["active"] == third.key_id
        assert [key["id"] for key in listed["keys"]] == [first.key_id, second.key_id, third.key_id]
        assert listed["keys"][0] == {
            "id": first.key_id, "type": "Multikey", "controller": keys.did_of(first),
            "publicKeyMultibase": first.public_key_multibase, "created": listed["keys"][0]["created"],
            "retired": listed["keys"][0]["retired"],
        }
        assert listed["keys"][0]["retired"] and listed["keys"][2]["retired"] is None
        assert b"PRIVATE" not in body(response)

    def test_a_published_key_is_the_one_that_verifies(self, award):
        key = keys.active_key()
        signed = openbadges3.sign(openbadges3.credential_json(award, key=key), key)
        public_pem = keys.public_key_of(key).public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
        # The key pinned out of band (as from /badges/keys/) rather than derived from the did:key by the verifier.
        assert type(OB3LdpVerifier(pubkey_pem=public_pem).verify(json.dumps(signed))).__name__ == "OpenBadgeCredential"

    def test_the_management_command_rotates(self):
        before = keys.active_key()
        out = StringIO()
        call_command("mentora_rotate_badge_key", stdout=out)
        after = keys.active_key()
        assert after.pk != before.pk
        before.refresh_from_db()
        assert before.retired_at is not None
        assert f"Retired {before.key_id}" in out.getvalue() and f"Active {after.key_id}" in out.getvalue()


class TestRevocation:
    def test_the_list_names_revoked_credentials_with_their_reasons(self, client, award, learner):
        kept = make_award(make_badge_class(name="Kept"), learner)
        award.revoked_at = timezone.now()
        award.revocation_reason = "Plagiarised final project."
        award.save()
        response = client.get("/badges/revocations/")
        assert response.status_code == 200 and response["Cache-Control"] == "no-cache"
        listed = json.loads(body(response))
        assert listed["id"] == f"{BASE}/badges/revocations/"
        assert listed["type"] == "1EdTechRevocationList"
        ids = [entry["id"] for entry in listed["revokedCredentials"]]
        assert ids == [f"{BASE}/badges/assertions/{award.public_id}/credential"]
        assert listed["revokedCredentials"][0]["revocationReason"] == "Plagiarised final project."
        assert f"{kept.public_id}" not in json.dumps(listed)

    def test_a_retired_recipients_revoked_credential_stays_listed_without_its_reason(self, client, award, learner):
        from mentora_plugin.badges.retirement import retire_user

        award.revoked_at = timezone.now()
        award.revocation_reason = "Plagiarised by Lea Rner."
        award.save()
        retire_user(learner)
        listed = json.loads(body(client.get("/badges/revocations/")))
        assert [entry["id"] for entry in listed["revokedCredentials"]] == [
            f"{BASE}/badges/assertions/{award.public_id}/credential"]
        assert "Lea" not in json.dumps(listed) and listed["revokedCredentials"][0]["revocationReason"] == ""
        retire_user(learner)  # twice: still one entry
        assert len(json.loads(body(client.get("/badges/revocations/")))["revokedCredentials"]) == 1

    def test_a_revoked_award_is_still_served_and_points_to_the_list(self, client, award):
        award.revoked_at = timezone.now()
        award.revocation_reason = "Issued by mistake."
        award.save()
        document = json.loads(fetch(client, award))
        status_url = document["credentialStatus"]["id"]
        listed = json.loads(body(client.get(path_of(status_url))))
        assert document["id"] in [entry["id"] for entry in listed["revokedCredentials"]]
        # What openbadgeslib does with it: the signature verifies (status is not read by default) ...
        verify(document)
        # ... and, asked to check status, it refuses the 1EdTech method it does not implement, without fetching.
        with pytest.raises(OB3VerificationError, match="unsupported credentialStatus type"):
            verify(document, check_status=True)


def test_the_admin_shows_keys_without_their_private_part(client, make_user):
    key = keys.active_key()
    admin_user = make_user("keeper", is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    listing = client.get("/admin/mentora_badges/signingkey/")
    assert listing.status_code == 200 and key.key_id in listing.content.decode()
    detail = client.get(f"/admin/mentora_badges/signingkey/{key.pk}/change/").content.decode()
    assert key.public_key_multibase in detail
    assert "PRIVATE KEY" not in detail and key.private_key.splitlines()[1] not in detail
