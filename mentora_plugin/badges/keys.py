"""
The Ed25519 keys that sign Open Badges 3.0 credentials (``openbadges3``), stored as ``SigningKey`` rows.

One key is active and signs; ``rotate_signing_key`` makes a new one active and retires the old. A retired key never
signs again but stays published (``published_keys``, ``/badges/keys/``): a credential is a file its holder keeps, and
it must still verify years after the key that signed it was rotated out.

Each key is a ``did:key`` (https://w3c-ccg.github.io/did-key-spec/): its identifier *is* its public key (multicodec
``ed25519-pub`` in base58btc multibase), so a verifier resolves it offline, with nothing to host. The private key (a
PKCS#8 PEM) is read only by ``openbadges3.sign`` and never leaves the server: nothing here returns it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.db import transaction
from django.utils import timezone

from mentora_plugin.badges.models import SigningKey

__all__ = [
    "PublicKey",
    "active_key",
    "b58btc",
    "did_of",
    "private_key_of",
    "public_key_of",
    "published_keys",
    "rotate_signing_key",
]

#: The multicodec prefix of an Ed25519 public key (``ed25519-pub``, 0xed as an unsigned varint).
ED25519_PUB = b"\xed\x01"
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


@dataclass(frozen=True)
class PublicKey:
    """The public part of a signing key: what is published, never the private key."""

    key_id: str  # the verification method: did:key:z…#z…
    controller: str  # the DID: did:key:z…
    public_key_multibase: str
    created: datetime
    retired_at: datetime | None


def b58btc(data: bytes) -> str:
    """Base58 (Bitcoin alphabet) of ``data``, leading zero bytes as ``1``: multibase ``z`` without its prefix."""
    number = int.from_bytes(data, "big")
    out = ""
    while number:
        number, rest = divmod(number, 58)
        out = _B58[rest] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def _b58decode(text: str) -> bytes:
    number = 0
    for char in text:
        number = number * 58 + _B58.index(char)
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body


def did_of(key: SigningKey) -> str:
    """The DID that controls ``key`` (its ``key_id`` without the fragment): the credentials' issuer id."""
    return key.key_id.partition("#")[0]


def public_key_of(key: SigningKey) -> Ed25519PublicKey:
    """The Ed25519 public key of ``key``, decoded from its multibase (what a verifier derives from the did:key)."""
    raw = _b58decode(key.public_key_multibase.removeprefix("z"))
    if not raw.startswith(ED25519_PUB):
        raise ValueError(f"{key.key_id} is not an Ed25519 multikey")
    return Ed25519PublicKey.from_public_bytes(raw[len(ED25519_PUB):])


def private_key_of(key: SigningKey) -> Ed25519PrivateKey:
    """The private key of ``key``, for signing on this server only."""
    loaded = serialization.load_pem_private_key(key.private_key.encode("ascii"), password=None)
    if not isinstance(loaded, Ed25519PrivateKey):
        raise ValueError(f"{key.key_id} does not hold an Ed25519 private key")
    return loaded


def _new_key() -> SigningKey:
    """A fresh Ed25519 key pair, saved active (the caller retires the others)."""
    private = Ed25519PrivateKey.generate()
    raw = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    multibase = "z" + b58btc(ED25519_PUB + raw)
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode("ascii")
    return SigningKey.objects.create(
        key_id=f"did:key:{multibase}#{multibase}", public_key_multibase=multibase, private_key=pem,
        created=timezone.now(),
    )


def active_key() -> SigningKey:
    """
    The key that signs now, created on first use.

    Two processes may both find no key and each create one (the table has no "one active row" constraint: MariaDB
    has no partial unique index). So the rule is deterministic instead of exclusive: the newest unretired key is the
    active one and any older unretired key is retired here. Whatever either process signed in the meantime stays
    verifiable, because retired keys stay published; from then on both sign with the same key.
    """
    candidates = list(SigningKey.objects.filter(retired_at__isnull=True).order_by("-created", "-pk"))
    if not candidates:
        _new_key()
        candidates = list(SigningKey.objects.filter(retired_at__isnull=True).order_by("-created", "-pk"))
    winner = candidates[0]
    if len(candidates) > 1:
        SigningKey.objects.filter(pk__in=[key.pk for key in candidates[1:]], retired_at__isnull=True).update(
            retired_at=timezone.now())
    return winner


def rotate_signing_key() -> SigningKey:
    """
    Retire the active key (and any stray unretired one) and make a new key active; returns the new key. What the
    old key signed still verifies: its public key stays published and a did:key needs nothing else.
    """
    with transaction.atomic():
        new = _new_key()
        SigningKey.objects.filter(retired_at__isnull=True).exclude(pk=new.pk).update(retired_at=timezone.now())
    return new


def published_keys() -> list[PublicKey]:
    """Every key ever used, oldest first, public parts only (the private key column is not even read)."""
    rows = SigningKey.objects.order_by("created", "pk").values_list(
        "key_id", "public_key_multibase", "created", "retired_at")
    return [
        PublicKey(key_id=key_id, controller=key_id.partition("#")[0], public_key_multibase=multibase,
                  created=created, retired_at=retired_at)
        for key_id, multibase, created, retired_at in rows
    ]
