"""The audit bundle: what it holds, that it verifies offline, and that any change to it is
named by the verifier."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
import zipfile
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import CommandError, call_command
from django.utils import timezone

from zgovern.audits import services, verify
from zgovern.audits.models import Bundle, BundleStatus
from zgovern.audits.tests.conftest import SYSTEM, add_evidence_file, add_history
from zgovern.audits.writer import BundleWriter, safe_path
from zgovern.core.errors import DomainError
from zgovern.tenancy.scoping import organization_scope


def build(org, audit) -> Bundle:
    bundle = services.request_bundle(org, SYSTEM, audit.pk, enqueue=False)
    built = services.build_bundle(bundle.pk, "tests")
    assert built is not None and built.status == BundleStatus.READY, built.error
    return built


@pytest.fixture
def bundle(audit_org, audit):
    add_evidence_file(audit_org, "access-reviews-quarterly", "q1 review.csv", b"user,decision\n")
    add_evidence_file(audit_org, "encryption-at-rest", "../../etc/passwd.txt", b"not a passwd")
    add_history(audit_org, "aws.iam.console_mfa", "fail", days_ago=30)
    return build(audit_org, audit)


def test_a_bundle_holds_the_sections_and_verifies(audit_org, bundle):
    path = services.bundle_path(bundle)
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        manifest = json.loads(archive.read("manifest.json"))
        summary = archive.read("controls/controls-summary.csv").decode("utf-8-sig")
    for expected in ("index.html", "verify.py", "controls/controls-summary.xlsx",
                     "controls/evidence-checklist.csv", "evidence/evidence-index.csv",
                     "monitoring/check-history.csv", "system-description.md"):  # fmt: skip
        assert expected in names
    assert "access-reviews-quarterly" in summary.splitlines()[1:][0] or "access-reviews" in summary
    assert manifest["audit"]["name"] == "SOC 2 Type 2 2026"
    assert {f["path"] for f in manifest["files"]} == names - {"manifest.json", "manifest.sig"}
    report = verify.verify_bundle(str(path), bundle.key_fingerprint)
    assert report.ok, report.lines()
    assert bundle.files == len(manifest["files"])


def test_file_names_inside_the_bundle_cannot_escape_or_collide(bundle):
    with zipfile.ZipFile(services.bundle_path(bundle)) as archive:
        names = archive.namelist()
    assert not any(name.startswith("/") or ".." in name.split("/") for name in names)
    assert len({name.lower() for name in names}) == len(names)
    assert any(name.startswith("evidence/") and name.endswith("passwd.txt") for name in names)


def test_check_history_of_the_period_is_included(bundle):
    with zipfile.ZipFile(services.bundle_path(bundle)) as archive:
        history = archive.read("monitoring/check-history.csv").decode("utf-8-sig")
    assert "aws.iam.console_mfa" in history and ",fail," in history
    row = next(line for line in history.splitlines() if ",fail," in line)
    assert row.split(",")[-3].endswith("+00:00")  # an aware instant on every database


def _rewrite(source, target, change):
    """Copy the ZIP entry by entry, letting ``change(name, data)`` return new data, or None
    to drop the entry; returns the target path."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            data = change(info.filename, old.read(info))
            if data is not None:
                new.writestr(info.filename, data)
    return target


def test_verify_names_a_changed_a_missing_and_an_added_file(bundle, tmp_path):
    source = services.bundle_path(bundle)
    changed = _rewrite(source, tmp_path / "changed.zip",
                       lambda n, d: d + b"x" if n == "system-description.md" else d)  # fmt: skip
    report = verify.verify_bundle(str(changed))
    assert report.differs == ["system-description.md"] and not report.ok
    assert report.signature_ok  # the manifest itself is intact

    missing = _rewrite(source, tmp_path / "missing.zip",
                       lambda n, d: None if n == "index.html" else d)  # fmt: skip
    assert verify.verify_bundle(str(missing)).missing == ["index.html"]

    added = tmp_path / "added.zip"
    shutil.copyfile(source, added)
    with zipfile.ZipFile(added, "a") as archive:
        archive.writestr("evidence/extra.txt", b"slipped in")
    assert verify.verify_bundle(str(added)).added == ["evidence/extra.txt"]


def test_a_forged_manifest_fails_the_signature(bundle, tmp_path):
    def forge(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["audit"]["name"] = "Something else"
        return json.dumps(manifest).encode()

    report = verify.verify_bundle(
        str(_rewrite(services.bundle_path(bundle), tmp_path / "f.zip", forge))
    )
    assert not report.signature_ok and not report.ok


def test_a_manifest_re_signed_with_another_key_fails_the_expected_fingerprint(bundle, tmp_path):
    other = Ed25519PrivateKey.generate()
    public = other.public_key().public_bytes_raw()

    def resign(name, data, store={}):
        if name == "manifest.json":
            manifest = json.loads(data)
            manifest["signing_key"]["public_key"] = base64.b64encode(public).decode()
            store["raw"] = json.dumps(manifest).encode()
            return store["raw"]
        if name == "manifest.sig":
            return base64.b64encode(other.sign(store["raw"]))
        return data

    forged = _rewrite(services.bundle_path(bundle), tmp_path / "r.zip", resign)
    assert verify.verify_bundle(str(forged)).signature_ok  # self-consistent …
    report = verify.verify_bundle(str(forged), bundle.key_fingerprint)
    assert not report.ok and "not the expected" in report.problems[0]  # … but not our key


def test_verify_reports_a_file_that_is_not_a_zip(tmp_path):
    path = tmp_path / "nope.zip"
    path.write_bytes(b"hello")
    report = verify.verify_bundle(str(path))
    assert not report.ok and "not a readable ZIP" in report.problems[0]


def test_the_shipped_verifier_runs_with_the_standard_library_alone(bundle, tmp_path):
    with zipfile.ZipFile(services.bundle_path(bundle)) as archive:
        archive.extract("verify.py", tmp_path)
    # -I: isolated, -S: no site-packages, so `cryptography` cannot be imported.
    result = subprocess.run(
        [sys.executable, "-I", "-S", str(tmp_path / "verify.py"), str(services.bundle_path(bundle)),
         "--fingerprint", bundle.key_fingerprint],
        capture_output=True, text=True, timeout=120, env={"PATH": os.environ.get("PATH", "")},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "signature: valid" in result.stdout


@pytest.mark.parametrize("seed", range(5))
def test_plain_ed25519_agrees_with_the_library(seed):
    key = Ed25519PrivateKey.generate()
    public = key.public_key().public_bytes_raw()
    message = os.urandom(seed * 37)
    signature = key.sign(message)
    assert verify._verify_plain(public, message, signature)
    assert not verify._verify_plain(public, message + b"!", signature)
    bad = bytes([signature[0] ^ 1]) + signature[1:]
    assert not verify._verify_plain(public, message, bad)


def test_a_bundle_needs_a_period(audit_org, audit):
    services.update_audit(audit_org, SYSTEM, audit.pk, {"period_start": None, "period_end": None})
    with pytest.raises(DomainError, match="period"):
        services.request_bundle(audit_org, SYSTEM, audit.pk, enqueue=False)
    with organization_scope(audit_org):
        assert not Bundle.objects.filter(organization=audit_org).exists()


def test_a_bundle_is_built_once_whoever_claims_it(audit_org, audit):
    bundle = services.request_bundle(audit_org, SYSTEM, audit.pk, enqueue=False)
    assert services.build_bundle(bundle.pk, "first").status == BundleStatus.READY
    assert services.build_bundle(bundle.pk, "second") is None


def test_the_task_builds_a_requested_bundle(audit_org, audit, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        bundle = services.request_bundle(audit_org, SYSTEM, audit.pk)
    with organization_scope(audit_org):
        bundle.refresh_from_db()
    assert bundle.status == BundleStatus.READY and bundle.progress_done == bundle.progress_total


def test_the_commands_export_and_verify(audit_org, audit, tmp_path, capsys):
    target = tmp_path / "out.zip"
    call_command("audit", "export", audit_org.slug, str(audit.pk), "--output", str(target))
    call_command("verify", str(target))
    assert "OK:" in capsys.readouterr().out
    with zipfile.ZipFile(target, "a") as archive:
        archive.writestr("added.txt", b"x")
    with pytest.raises(CommandError, match="does not verify"):
        call_command("verify", str(target))


def test_short_type2_periods_are_warned_about(audit_org, audit):
    today = timezone.localdate()
    services.update_audit(audit_org, SYSTEM, audit.pk, {"period_start": today - timedelta(days=90)})
    with organization_scope(audit_org):
        audit.refresh_from_db()
    assert services.warnings(audit) == ["This Type 2 period is shorter than 6 months."]


@pytest.mark.parametrize(
    ("raw", "safe"),
    [("../../etc/passwd", "etc/passwd"), ("C:\\Windows\\con.txt", "C_/Windows/_con.txt"),
     ("  .hidden. ", "hidden"), ("r\u00e9sum\u00e9 <1>.pdf", "resume _1_.pdf"), ("", "file")],
)  # fmt: skip
def test_safe_paths(raw, safe):
    assert safe_path(raw) == safe


def test_writer_renames_case_insensitive_clashes(tmp_path):
    with (tmp_path / "b.zip").open("w+b") as target, BundleWriter(target, timezone.now()) as w:
        names = [w.unique("A/Report.pdf"), w.unique("a/report.PDF"), w.unique("manifest.json")]
    assert names == ["A/Report.pdf", "a/report (2).PDF", "_manifest.json"]


def test_the_index_escapes_what_people_typed(audit_org, audit):
    services.update_audit(audit_org, SYSTEM, audit.pk, {"name": "<script>alert(1)</script>"})
    add_evidence_file(audit_org, "encryption-at-rest", "a.txt", b"x", title="<img src=x>")
    with zipfile.ZipFile(services.bundle_path(build(audit_org, audit))) as archive:
        page = archive.read("index.html").decode()
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<img" not in page
