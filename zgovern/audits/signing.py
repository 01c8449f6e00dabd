"""The organisation's bundle-signing key (Ed25519).

The key is made on first use and kept with its private half encrypted at rest
(:mod:`zgovern.core.crypto`, the same keys as integration credentials); nothing but
:func:`sign` ever decrypts it. Rotating makes a new active key; old keys stay listed so the
bundles they signed can still be matched to the organisation.
"""

from __future__ import annotations

import base64

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.db import IntegrityError, transaction

from zgovern.audits.models import SigningKey
from zgovern.audits.verify import fingerprint
from zgovern.core import crypto

_RAW = serialization.Encoding.Raw


def active_key(org) -> SigningKey:
    """The organisation's active key, made now if it has none (safe under concurrency:
    the partial unique index lets only one creator win, the others read the winner's)."""
    key = SigningKey.objects.filter(organization=org, active=True).first()
    if key is not None:
        return key
    try:
        with transaction.atomic():
            return _create(org)
    except IntegrityError:
        return SigningKey.objects.get(organization=org, active=True)


def rotate(org) -> SigningKey:
    """Retire the active key and make a new one."""
    with transaction.atomic():
        SigningKey.objects.filter(organization=org, active=True).update(active=False)
        return _create(org)


def _create(org) -> SigningKey:
    private = Ed25519PrivateKey.generate()
    raw_private = private.private_bytes(
        _RAW, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    raw_public = private.public_key().public_bytes(_RAW, serialization.PublicFormat.Raw)
    return SigningKey.objects.create(
        organization=org,
        public_key=base64.b64encode(raw_public).decode(),
        private_key_encrypted=crypto.encrypt(base64.b64encode(raw_private).decode()),
        fingerprint=fingerprint(raw_public),
    )


def sign(key: SigningKey, message: bytes) -> bytes:
    """The Ed25519 signature of ``message`` by ``key`` (64 bytes)."""
    raw = base64.b64decode(crypto.decrypt(key.private_key_encrypted))
    return Ed25519PrivateKey.from_private_bytes(raw).sign(message)


def public_pem(key: SigningKey) -> str:
    """The public half as PEM (SubjectPublicKeyInfo), for tools other than ours."""
    loaded = Ed25519PublicKey.from_public_bytes(base64.b64decode(key.public_key))
    return loaded.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
