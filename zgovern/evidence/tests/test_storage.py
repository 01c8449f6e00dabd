"""Content-addressed storage: hashing while streaming, dedupe per organisation, atomic
placement, path-traversal refusal and the size limit."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.files import File
from django.core.files.base import ContentFile

from zgovern.evidence import storage
from zgovern.evidence.tests.conftest import evidence_root, leftover_temp_files, stored_blobs


class CountingFile(File):
    """A file that remembers the largest single read, to prove the copy streams."""

    def __init__(self, data: bytes) -> None:
        super().__init__(io.BytesIO(data), name="big.bin")
        self.largest_read = 0

    def read(self, size=-1):
        chunk = self.file.read(size)
        self.largest_read = max(self.largest_read, len(chunk))
        return chunk


def test_a_file_larger_than_a_chunk_is_hashed_while_streaming(org_a):
    data = bytes(range(256)) * (storage.CHUNK_SIZE // 256 * 3 + 7)  # three chunks and a bit
    assert len(data) > 3 * storage.CHUNK_SIZE
    source = CountingFile(data)

    blob = storage.store_blob(org_a, source, max_bytes=len(data))

    assert blob.sha256 == hashlib.sha256(data).hexdigest()
    assert blob.size == len(data)
    assert blob.created
    assert 0 < source.largest_read <= storage.CHUNK_SIZE
    with storage.open_blob(org_a, blob.sha256) as handle:
        assert handle.read() == data
    assert leftover_temp_files() == []


def test_blobs_are_laid_out_per_organisation_and_digest(org_a):
    blob = storage.store_blob(org_a, ContentFile(b"hello"), max_bytes=100)
    expected = evidence_root() / str(org_a.pk) / blob.sha256[:2] / blob.sha256
    assert stored_blobs() == [expected]
    assert expected.read_bytes() == b"hello"
    assert storage.blob_key(org_a, blob.sha256) == f"{org_a.pk}/{blob.sha256[:2]}/{blob.sha256}"


def test_the_same_bytes_are_stored_once_per_organisation(org_a, org_b):
    first = storage.store_blob(org_a, ContentFile(b"same bytes"), max_bytes=100)
    again = storage.store_blob(org_a, ContentFile(b"same bytes"), max_bytes=100)
    other = storage.store_blob(org_b, ContentFile(b"same bytes"), max_bytes=100)

    assert first.sha256 == again.sha256 == other.sha256
    assert (first.created, again.created, other.created) == (True, False, True)
    # One copy for A, one for B: tenants never share a blob.
    assert len(stored_blobs()) == 2
    assert storage.blob_exists(org_b, first.sha256)


def test_too_large_stores_nothing(org_a):
    with pytest.raises(storage.TooLarge):
        storage.store_blob(org_a, ContentFile(b"x" * 101), max_bytes=100)
    assert stored_blobs() == []
    assert leftover_temp_files() == []


def test_exactly_the_limit_is_accepted(org_a):
    blob = storage.store_blob(org_a, ContentFile(b"x" * 100), max_bytes=100)
    assert blob.size == 100


@pytest.mark.parametrize(
    "digest",
    [
        "../../../etc/passwd",
        "..",
        "a" * 63,
        "a" * 65,
        "A" * 64,  # digests are lowercase
        ("a" * 62) + "/x",
        ("0" * 63) + "\n",
        "",
        None,
        123,
    ],
)
def test_anything_but_a_hex_digest_is_refused(org_a, digest):
    with pytest.raises(storage.InvalidDigest):
        storage.blob_key(org_a, digest)
    with pytest.raises(storage.InvalidDigest):
        storage.open_blob(org_a, digest)
    with pytest.raises(storage.InvalidDigest):
        storage.blob_exists(org_a, digest)


def test_a_missing_blob_is_reported(org_a):
    digest = hashlib.sha256(b"never stored").hexdigest()
    assert not storage.blob_exists(org_a, digest)
    with pytest.raises(FileNotFoundError):
        storage.open_blob(org_a, digest)


def test_another_organisations_blob_is_not_found(org_a, org_b):
    blob = storage.store_blob(org_a, ContentFile(b"only A"), max_bytes=100)
    assert not storage.blob_exists(org_b, blob.sha256)
    with pytest.raises(FileNotFoundError):
        storage.open_blob(org_b, blob.sha256)


def test_a_configured_storage_is_used_through_the_storage_api(org_a, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    data = b"y" * (storage.CHUNK_SIZE + 1)

    blob = storage.store_blob(org_a, ContentFile(data), max_bytes=len(data))
    again = storage.store_blob(org_a, ContentFile(data), max_bytes=len(data))

    assert not again.created
    assert storage.evidence_storage().listdir(f"{org_a.pk}/{blob.sha256[:2]}")[1] == [blob.sha256]
    with storage.open_blob(org_a, blob.sha256) as handle:
        assert handle.read() == data
    assert stored_blobs() == []  # nothing went to the file system
