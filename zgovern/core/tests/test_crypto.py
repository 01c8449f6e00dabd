"""Secrets at rest: round trip, rotation to a new key, and a clear error for an unknown key."""

import pytest
from cryptography.fernet import Fernet

from zgovern.core import crypto


def test_round_trip_does_not_store_plaintext():
    token = crypto.encrypt("s3cr3t")
    assert "s3cr3t" not in token
    assert crypto.decrypt(token) == "s3cr3t"


def test_rotation_keeps_old_ciphertexts_readable(settings):
    old_key = settings.ENCRYPTION_KEYS[0]
    old_ciphertext = crypto.encrypt("value")
    new_key = Fernet.generate_key().decode()
    settings.ENCRYPTION_KEYS = [new_key, old_key]
    assert crypto.decrypt(old_ciphertext) == "value"
    rotated = crypto.rotate(old_ciphertext)
    settings.ENCRYPTION_KEYS = [new_key]
    assert crypto.decrypt(rotated) == "value"
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(old_ciphertext)
