"""Encryption at rest for secrets zGovern must keep (integration credentials, TOTP seeds).

The first key of ``ZG_ENCRYPTION_KEY`` encrypts; every key decrypts, so a key is rotated by
putting the new one first and keeping the old one until :func:`rotate` has re-encrypted."""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class DecryptionError(RuntimeError):
    """The ciphertext was made with a key that is no longer configured, or was altered."""


@lru_cache(maxsize=4)
def _cipher(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def _current() -> MultiFernet:
    return _cipher(tuple(settings.ENCRYPTION_KEYS))


def encrypt(plaintext: str) -> str:
    return _current().encrypt(plaintext.encode()).decode()


def decrypt(ciphertext: str) -> str:
    try:
        return _current().decrypt(ciphertext.encode()).decode()
    except InvalidToken:
        raise DecryptionError("cannot decrypt: no configured key matches") from None


def rotate(ciphertext: str) -> str:
    """Re-encrypt under the current first key."""
    try:
        return _current().rotate(ciphertext.encode()).decode()
    except InvalidToken:
        raise DecryptionError("cannot rotate: no configured key matches") from None
