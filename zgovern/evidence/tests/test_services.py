"""The evidence services: what they accept, what they refuse (storing nothing), the
activity log, append-only items and correction chains."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_scopes import scopes_disabled

from zgovern.core.errors import Conflict, DomainError, NotFound
from zgovern.evidence import queries, services, storage
from zgovern.evidence.files import clean_file_name
from zgovern.evidence.models import EvidenceItem, EvidenceSource
from zgovern.evidence.tests.conftest import (
    PDF,
    PNG,
    SYSTEM,
    actions,
    add_link,
    add_pdf,
    add_record,
    count_items,
    leftover_temp_files,
    pdf,
    stored_blobs,
)
from zgovern.tenancy import activity
from zgovern.tenancy.models import ActivityLog, AppendOnlyError
from zgovern.tenancy.scoping import organization_scope


def _add(org, **kwargs):
    return add_pdf(org, **kwargs)


def refused(org, call, field: str | None, **kwargs) -> DomainError:
    """Run ``call``; it must raise a DomainError on ``field`` and leave nothing behind."""
    before_items, before_log = count_items(org), actions(org)
    with pytest.raises(DomainError) as caught:
        call(org, **kwargs)
    assert caught.value.field == field, caught.value.message
    assert count_items(org) == before_items
    assert actions(org) == before_log
    assert stored_blobs() == [] or before_items > 0
    assert leftover_temp_files() == []
    return caught.value


# -- files ----------------------------------------------------------------------------


def test_a_file_is_stored_hashed_and_logged(org_a, alice):
    item = add_pdf(
        org_a,
        alice,
        description="Board approval",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 3, 31),
        tags=["board", "board", " policy "],
    )

    assert item.source == EvidenceSource.UPLOAD
    assert item.sha256 == hashlib.sha256(PDF).hexdigest()
    assert (item.file_name, item.file_size, item.content_type) == (
        "policy.pdf",
        len(PDF),
        "application/pdf",
    )
    assert item.created_by == alice
    assert item.tags == ["board", "policy"]
    assert storage.blob_exists(org_a, item.sha256)
    with scopes_disabled():
        row = ActivityLog.objects.get(organization=org_a, action="evidence.added")
    assert row.target_id == str(item.pk)
    assert row.changes["sha256"] == item.sha256
    assert row.changes["period_end"] == "2026-03-31"
    with organization_scope(org_a):
        assert activity.verify_chain(org_a).ok


def test_the_content_type_comes_from_the_extension_not_the_uploader(org_a):
    upload = SimpleUploadedFile("shot.png", PNG, content_type="text/html")
    item = add_pdf(org_a, uploaded_file=upload)
    assert item.content_type == "image/png"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("page.html", b"<html><script>alert(1)</script></html>"),
        ("logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
        ("tool.exe", b"MZ\x90\x00"),
        ("script.js", b"alert(1)"),
        ("noextension", b"plain"),
        ("archive.tar.gz", b"\x1f\x8b"),
    ],
)
def test_other_file_types_are_refused(org_a, name, data):
    error = refused(org_a, _add, "file", uploaded_file=SimpleUploadedFile(name, data))
    assert "Allowed" in error.message


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("fake.pdf", b"<html>not a pdf</html>"),
        ("fake.png", b"GIF89a...."),
        ("fake.jpg", PNG),
        ("fake.xlsx", b"just text"),
        ("fake.docx", PDF),
        ("binary.txt", b"abc\x00\x01\x02"),
        ("binary.csv", b"\x00\x00"),
    ],
)
def test_content_contradicting_the_extension_is_refused(org_a, name, data):
    error = refused(org_a, _add, "file", uploaded_file=SimpleUploadedFile(name, data))
    assert "named" in error.message


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("report.pdf", b"\n\n%PDF-1.7\n"),
        ("photo.JPEG", b"\xff\xd8\xff\xe0rest"),
        ("anim.gif", b"GIF87a...."),
        ("export.zip", b"PK\x03\x04rest"),
        ("users.xlsx", b"PK\x03\x04rest"),
        ("memo.docx", b"PK\x03\x04rest"),
        ("users.csv", "name,email\nÅsa,asa@x\n".encode()),
        ("notes.md", b"# Notes\n"),
        ("app.log", b"2026-01-01 ok\n"),
        ("cfg.yaml", b"a: 1\n"),
        ("cfg.yml", b"a: 1\n"),
        ("data.json", b"{}"),
        ("readme.txt", b"hello"),
    ],
)
def test_allowed_types_are_accepted(org_a, name, data):
    item = _add(org_a, uploaded_file=SimpleUploadedFile(name, data))
    assert item.file_size == len(data)


def test_an_empty_file_is_refused(org_a):
    refused(org_a, _add, "file", uploaded_file=SimpleUploadedFile("empty.txt", b""))


def test_no_file_is_refused(org_a):
    refused(org_a, _add, "file", uploaded_file=None)


def test_the_size_limit_refuses_before_storing(org_a, settings):
    settings.EVIDENCE_MAX_BYTES = len(PDF) - 1
    error = refused(org_a, _add, "file", uploaded_file=pdf())
    assert "limit" in error.message


def test_the_size_limit_holds_while_streaming(org_a, settings):
    """A declared size smaller than the content does not get past: the stream is counted."""
    settings.EVIDENCE_MAX_BYTES = 100
    upload = ContentFile(PDF + b"x" * 200, name="big.pdf")
    upload.size = 1
    refused(org_a, _add, "file", uploaded_file=upload)


def test_the_size_limit_setting_defaults_to_100_mib():
    from zgovern import settings as project_settings

    assert project_settings.EVIDENCE_MAX_BYTES == 100 * 1024 * 1024


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("C:\\Users\\me\\report.pdf", "report.pdf"),
        ("evil\u202etxt.exe.pdf", "eviltxt.exe.pdf"),  # right-to-left override dropped
        ("new\r\nline.txt", "newline.txt"),
        ("  spaced   name .txt ", "spaced name .txt"),
        ("..hidden.txt", "hidden.txt"),
        ("Cafe\u0301.txt", "Café.txt"),  # normalised to NFC
    ],
)
def test_file_names_are_sanitised(raw, expected):
    assert clean_file_name(raw) == expected


def test_long_file_names_keep_their_extension():
    name = clean_file_name("a" * 400 + ".pdf")
    assert len(name) == 255
    assert name.endswith(".pdf")


@pytest.mark.parametrize("raw", ["", "..", "/", "\x00\x01", "dir/"])
def test_a_name_with_nothing_left_is_refused(raw):
    with pytest.raises(DomainError) as caught:
        clean_file_name(raw)
    assert caught.value.field == "file"


def test_a_sanitised_name_is_what_is_stored(org_a):
    item = _add(org_a, uploaded_file=SimpleUploadedFile("../x/..\\report\x07.pdf", PDF))
    assert item.file_name == "report.pdf"


# -- describing an item ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"title": "t" * 201}, "title"),
        ({"title": "nul\x00"}, "title"),
        ({"title": "surrogate \ud800"}, "title"),
        ({"kind": "Not a slug!"}, "kind"),
        ({"kind": ""}, "kind"),
        ({"kind": "k" * 61}, "kind"),
        ({"description": "d" * 10_001}, "description"),
        ({"period_start": date(2026, 2, 1), "period_end": date(2026, 1, 31)}, "period_end"),
        ({"period_start": date(2026, 2, 1)}, "period_end"),
        ({"period_end": date(2026, 2, 1)}, "period_start"),
        ({"collected_at": timezone.now() + timedelta(hours=1)}, "collected_at"),
        ({"collected_at": datetime(1900, 1, 1, tzinfo=UTC)}, "collected_at"),
        ({"tags": ["has space"]}, "tags"),
        ({"tags": "not-a-list"}, "tags"),
        ({"tags": [f"t{i}" for i in range(51)]}, "tags"),
    ],
)
def test_bad_descriptions_are_refused_and_nothing_is_stored(org_a, overrides, field):
    refused(org_a, _add, field, **overrides)


def test_a_one_day_period_and_a_naive_time_are_accepted(org_a):
    item = _add(
        org_a,
        kind="Access_Review",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 1, 1),
        collected_at=datetime(2026, 1, 2, 9, 30),
    )
    assert item.kind == "access_review"
    assert item.collected_at == datetime(2026, 1, 2, 9, 30, tzinfo=UTC)


# -- links and records ----------------------------------------------------------------


def test_a_link_is_hashed_by_its_address(org_a):
    item = add_link(org_a, url="https://tickets.example/SEC-1")
    assert item.source == EvidenceSource.LINK
    assert item.sha256 == hashlib.sha256(b"https://tickets.example/SEC-1").hexdigest()
    assert actions(org_a) == ["evidence.added"]
    assert stored_blobs() == []


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "ftp://x.example/f", "not a url", "", "https://" + "a" * 1000]
)
def test_bad_links_are_refused(org_a, url):
    refused(org_a, add_link, "url", url=url)


def test_a_record_is_hashed_by_its_canonical_json(org_a):
    item = add_record(org_a, record={"b": [1, 2], "a": "é"})
    canonical = b'{"a":"\xc3\xa9","b":[1,2]}'
    assert item.sha256 == hashlib.sha256(canonical).hexdigest()
    assert item.record == {"a": "é", "b": [1, 2]}
    assert item.file_size == len(canonical)
    with storage.open_blob(org_a, item.sha256) as handle:
        assert handle.read() == canonical
    same = add_record(org_a, record={"a": "é", "b": [1, 2]}, title="Again")
    assert same.sha256 == item.sha256  # key order does not matter


def test_a_check_snapshot_is_a_record(org_a):
    item = add_record(org_a, source=EvidenceSource.CHECK_SNAPSHOT, tags=["aws.s3.encryption"])
    assert item.source == EvidenceSource.CHECK_SNAPSHOT
    assert item.tags == ["aws.s3.encryption"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"source": EvidenceSource.UPLOAD}, "source"),
        ({"record": ["not", "an", "object"]}, "record"),
        ({"record": {"x": float("nan")}}, "record"),
        ({"record": {"x": object()}}, "record"),
        ({"record": {"x": "nul\x00"}}, "record"),
        ({"record": {1: "a", "b": 2}}, "record"),
        ({"record": {"big": "x" * (3 * 1024 * 1024)}}, "record"),
    ],
)
def test_bad_records_are_refused(org_a, overrides, field):
    refused(org_a, add_record, field, **overrides)


def test_an_escaped_backslash_before_u0000_is_not_a_nul(org_a):
    item = add_record(org_a, record={"path": "C:\\u0000"})
    assert item.record == {"path": "C:\\u0000"}


# -- append-only and atomicity --------------------------------------------------------


def test_items_are_never_edited(org_a):
    item = add_pdf(org_a)
    with organization_scope(org_a):
        stored = EvidenceItem.objects.get(pk=item.pk)
        stored.title = "Changed"
        with pytest.raises(AppendOnlyError):
            stored.save()
        assert EvidenceItem.objects.get(pk=item.pk).title == "Signed policy"


def test_a_failing_log_write_leaves_no_row(org_a, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("log unavailable")

    monkeypatch.setattr(activity, "record", broken)
    with pytest.raises(RuntimeError):
        add_pdf(org_a)
    assert count_items(org_a) == 0
    # The blob may stay (it is named by its content); the row does not.
    assert len(stored_blobs()) == 1


# -- corrections ----------------------------------------------------------------------


def correct(org, evidence_id, **kwargs):
    kwargs.setdefault("reason", "Wrong quarter")
    with organization_scope(org):
        return services.correct(org, SYSTEM, evidence_id, **kwargs)


def test_a_correction_is_a_new_item_that_supersedes_the_original(org_a):
    original = add_pdf(org_a, period_start=date(2026, 1, 1), period_end=date(2026, 3, 31))
    fixed = correct(org_a, original.pk, period_start=date(2026, 4, 1), period_end=date(2026, 6, 30))

    assert fixed.pk != original.pk
    assert fixed.supersedes_id == original.pk
    assert (fixed.period_start, fixed.period_end) == (date(2026, 4, 1), date(2026, 6, 30))
    # Carried over: content, title, collection time.
    assert (fixed.sha256, fixed.title, fixed.file_name) == (
        original.sha256,
        original.title,
        original.file_name,
    )
    assert fixed.collected_at == original.collected_at
    with organization_scope(org_a):
        kept = EvidenceItem.objects.get(pk=original.pk)
    assert kept.period_start == date(2026, 1, 1)
    assert actions(org_a) == ["evidence.added", "evidence.corrected"]
    with scopes_disabled():
        row = ActivityLog.objects.get(organization=org_a, action="evidence.corrected")
    assert row.changes["supersedes"] == original.pk
    assert row.changes["reason"] == "Wrong quarter"


def test_a_chain_of_corrections_never_forks(org_a):
    first = add_pdf(org_a)
    second = correct(org_a, first.pk, title="Second")
    with pytest.raises(Conflict):
        correct(org_a, first.pk, title="Fork")
    third = correct(org_a, second.pk, title="Third")

    with organization_scope(org_a):
        older, newer = queries.history(org_a, queries.item(org_a, second.pk))
        assert [i.pk for i in older] == [first.pk]
        assert [i.pk for i in newer] == [third.pk]
        assert queries.latest_version(org_a, first).pk == third.pk
        assert queries.item(org_a, first.pk).corrected_by_id == second.pk
    assert count_items(org_a) == 3


def test_a_new_file_corrects_an_upload_and_is_collected_now(org_a):
    original = add_pdf(org_a, collected_at=datetime(2026, 1, 1, tzinfo=UTC))
    new_pdf = PDF + b"% signed\n"
    fixed = correct(org_a, original.pk, uploaded_file=pdf("signed.pdf", new_pdf))
    assert fixed.sha256 == hashlib.sha256(new_pdf).hexdigest()
    assert fixed.file_name == "signed.pdf"
    assert fixed.collected_at > original.collected_at
    assert len(stored_blobs()) == 2


def test_a_link_and_a_record_are_corrected_with_their_own_kind_of_content(org_a):
    link = add_link(org_a)
    fixed_link = correct(org_a, link.pk, url="https://t.example/2")
    assert fixed_link.link_url == "https://t.example/2"
    record = add_record(org_a)
    fixed_record = correct(org_a, record.pk, record={"rows": 4})
    assert fixed_record.record == {"rows": 4}
    assert fixed_record.source == EvidenceSource.RECORD


@pytest.mark.parametrize(
    ("make", "content", "field"),
    [
        (add_link, {"uploaded_file": "file"}, "file"),
        (add_link, {"record": {"a": 1}}, "record"),
        (add_pdf, {"url": "https://x.example"}, "url"),
        (add_record, {"url": "https://x.example"}, "url"),
    ],
)
def test_content_of_another_kind_is_refused(org_a, make, content, field):
    item = make(org_a)
    if "uploaded_file" in content:
        content = {"uploaded_file": pdf()}
    with pytest.raises(DomainError) as caught:
        correct(org_a, item.pk, **content)
    assert caught.value.field == field
    assert count_items(org_a) == 1


def test_a_correction_must_change_something_and_give_a_reason(org_a):
    item = add_pdf(org_a)
    with pytest.raises(DomainError) as nothing:
        correct(org_a, item.pk, title=item.title)
    assert "changes nothing" in nothing.value.message
    with pytest.raises(DomainError) as no_reason:
        correct(org_a, item.pk, reason="  ", title="New")
    assert no_reason.value.field == "reason"
    with pytest.raises(DomainError) as bad_period:
        correct(org_a, item.pk, period_start=date(2026, 1, 1))
    assert bad_period.value.field == "period_end"
    assert count_items(org_a) == 1


def test_another_organisations_item_cannot_be_corrected(org_a, org_b):
    item = add_pdf(org_a)
    for evidence_id in (item.pk, "x", None, 10**30):
        with pytest.raises(NotFound):
            correct(org_b, evidence_id, title="Mine now")
    assert count_items(org_b) == 0


def test_records_keep_their_canonical_form(org_a):
    item = add_record(org_a, record={"t": (1, 2), "n": 1.5})
    assert item.record == {"n": 1.5, "t": [1, 2]}
    assert json.loads(b'{"n":1.5,"t":[1,2]}') == item.record
