"""Evidence files copied by a second process: the bundle is the same as when they are
streamed in the exporting process, and every way the copy can go wrong fails the build
with a reason instead of signing a bundle that is not what it says."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.utils import timezone

from zgovern.audits import copying, evidence_files, services, verify
from zgovern.audits.models import BundleStatus
from zgovern.audits.tests.conftest import SYSTEM, add_evidence_file
from zgovern.audits.writer import BundleIntegrityError, BundleWriter, Entry

FILES = {"q1 review.csv": b"user,decision\nann,APPROVE\n", "policy.pdf": b"%PDF-1.7\n" * 300}


def built(org, audit):
    bundle = services.request_bundle(org, SYSTEM, audit.pk, enqueue=False)
    return services.build_bundle(bundle.pk, "tests")


def evidence_of(bundle) -> dict[str, bytes]:
    with zipfile.ZipFile(services.bundle_path(bundle)) as archive:
        return {
            name.split("-", 1)[1]: archive.read(name)
            for name in archive.namelist()
            if name.startswith("evidence/") and not name.endswith("evidence-index.csv")
        }


@pytest.fixture
def with_files(audit_org):
    for name, data in FILES.items():
        add_evidence_file(audit_org, "encryption-at-rest", name, data, title=name)


@pytest.fixture
def copies(monkeypatch):
    """Counts the copier processes started."""
    started = []
    real = copying.CopyProcess

    def counted(*args, **kwargs):
        started.append(args[3])
        return real(*args, **kwargs)

    monkeypatch.setattr(copying, "CopyProcess", counted)
    return started


def test_local_files_are_copied_by_a_second_process(audit_org, audit, with_files, copies):
    bundle = built(audit_org, audit)
    assert bundle.status == BundleStatus.READY, bundle.error
    assert len(copies) == 1 and len(copies[0]) == 2
    assert evidence_of(bundle) == FILES
    assert verify.verify_bundle(str(services.bundle_path(bundle))).ok


def test_other_storages_are_streamed_in_process_with_the_same_result(
    audit_org, audit, with_files, copies, settings
):
    copied = evidence_of(built(audit_org, audit))
    memory = {"BACKEND": "django.core.files.storage.InMemoryStorage"}
    settings.STORAGES = {**settings.STORAGES, "evidence": memory}
    for name, data in FILES.items():  # the in-memory storage starts empty
        add_evidence_file(audit_org, "encryption-at-rest", name, data, title=name)
    bundle = built(audit_org, audit)
    assert bundle.status == BundleStatus.READY, bundle.error
    assert len(copies) == 1  # only the first build's
    assert evidence_of(bundle) == copied
    assert verify.verify_bundle(str(services.bundle_path(bundle))).ok


def test_a_file_removed_during_the_build_fails_it_by_name(
    audit_org, audit, with_files, monkeypatch
):
    monkeypatch.setattr(evidence_files, "_local_source", lambda ctx, item: "/nonexistent/blob")
    bundle = built(audit_org, audit)
    assert bundle.status == BundleStatus.FAILED
    assert "CopyFailed" in bundle.error and "could not be read" in bundle.error
    assert "build it again" in bundle.error


def test_a_copier_that_dies_fails_the_build_with_its_reason(
    audit_org, audit, with_files, monkeypatch, tmp_path
):
    dying = tmp_path / "copier.py"
    dying.write_text("import sys\nsys.stderr.write('disk full\\n')\nsys.exit(3)\n")
    monkeypatch.setattr(copying, "COPIER", dying)
    bundle = built(audit_org, audit)
    assert bundle.status == BundleStatus.FAILED
    assert bundle.error == "CopyFailed: copying the evidence files failed: disk full"


def test_a_copier_answering_for_other_files_is_refused(tmp_path):
    source = tmp_path / "a.bin"
    source.write_bytes(b"abc")
    with (tmp_path / "t.zip").open("w+b") as target:
        process = copying.CopyProcess(target, 0, (2026, 1, 1, 0, 0, 0), [("a", str(source), 3)])
        process._expected = ["b"]
        with pytest.raises(copying.CopyFailed, match="answered for other files"):
            process.results()


def test_the_copier_reports_unreadable_files_and_copies_the_rest(tmp_path):
    source = tmp_path / "a.bin"
    source.write_bytes(b"abc" * 1000)
    files = [("x/a.bin", str(source), 3000), ("x/gone.bin", str(tmp_path / "gone"), 1)]
    with (tmp_path / "t.zip").open("w+b") as target:
        results = copying.CopyProcess(target, 0, (2026, 1, 1, 0, 0, 0), files).results()
    assert [r.path for r in results] == ["x/a.bin", "x/gone.bin"]
    assert results[0].size == 3000 and len(results[0].sha256) == 64
    assert results[1].size is None and results[1].error
    with zipfile.ZipFile(tmp_path / "t.zip") as archive:
        assert archive.namelist() == ["x/a.bin"] and archive.read("x/a.bin") == b"abc" * 1000


def test_a_staged_writer_puts_the_lent_entries_first_and_checks_them(tmp_path):
    with (tmp_path / "b.zip").open("w+b") as target:
        writer = BundleWriter(target, timezone.now(), staged=True)
        writer.add_bytes("summary.csv", b"a,b\n", section="controls")
        lent_target, offset = writer.lend()
        with zipfile.ZipFile(lent_target, "w") as other:
            other.writestr("evidence/1.pdf", b"pdf")
        writer.settle([Entry("evidence/1.pdf", 3, "0" * 64, "Evidence 1", "evidence")])
        writer.add_bytes("index.html", b"<p>", section="")
        writer.close()
    assert offset == 0
    with zipfile.ZipFile(tmp_path / "b.zip") as archive:
        assert archive.namelist() == ["evidence/1.pdf", "summary.csv", "index.html"]
        assert archive.read("summary.csv") == b"a,b\n"
    assert [e.path for e in writer.entries] == archive.namelist()


def test_a_lent_zip_with_other_entries_is_refused(tmp_path):
    with (tmp_path / "b.zip").open("w+b") as target:
        writer = BundleWriter(target, timezone.now(), staged=True)
        with zipfile.ZipFile(writer.lend()[0], "w") as other:
            other.writestr("evidence/1.pdf", b"pdf")
        with pytest.raises(BundleIntegrityError, match="other entries"):
            writer.settle([Entry("evidence/2.pdf", 3, "0" * 64, "", "evidence")])
        writer.close()


def test_only_a_staged_writer_lends_and_only_once(tmp_path):
    target = io.BytesIO()
    with BundleWriter(target, timezone.now()) as w, pytest.raises(RuntimeError):
        w.lend()
    staged = BundleWriter(io.BytesIO(), timezone.now(), staged=True)
    staged.lend()
    with pytest.raises(RuntimeError):
        staged.lend()
    staged.close()


def test_targets_without_a_descriptor_are_not_lent(tmp_path):
    storage = evidence_files.evidence_storage()
    with Path(tmp_path / "x").open("w+b") as target:
        assert copying.available(target, storage)
    assert not copying.available(io.BytesIO(), storage)
