"""The evidence pages with alice (owner), bob (read-only auditor) and charlie (outsider)."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from django_scopes import scopes_disabled

from zgovern.evidence import services, storage
from zgovern.evidence.models import EvidenceItem, EvidenceSource
from zgovern.evidence.tests.conftest import (
    PDF,
    SYSTEM,
    actions,
    add_link,
    add_pdf,
    add_record,
    count_items,
    pdf,
    stored_blobs,
)
from zgovern.tenancy.scoping import organization_scope


def url(org, suffix: str = "") -> str:
    return f"/o/{org.slug}/evidence/{suffix}"


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def upload_data(**overrides) -> dict:
    data = {
        "title": "Signed policy",
        "kind": "policy_approval",
        "description": "",
        "period_start": "2026-01-01",
        "period_end": "2026-03-31",
        "collected_at": "",
        "tags": "board, policy",
        "file": pdf(),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# -- list -----------------------------------------------------------------------------


def test_the_list_shows_items_to_members_and_404s_outsiders(
    org_a, alice_client, bob_client, charlie_client
):
    add_pdf(org_a, title="Board minutes")
    for client in (alice_client, bob_client):
        response = client.get(url(org_a))
        assert response.status_code == 200
        assert b"Board minutes" in response.content
    assert charlie_client.get(url(org_a)).status_code == 404
    assert Client().get(url(org_a)).status_code == 302


def test_the_navigation_leads_to_evidence(org_a, alice_client):
    page = alice_client.get(url(org_a)).content.decode()
    assert f'href="{url(org_a)}" aria-current="page">Evidence</a>' in page


def test_writers_see_the_add_buttons_and_readers_do_not(org_a, alice_client, bob_client):
    assert url(org_a, "upload/").encode() in alice_client.get(url(org_a)).content
    assert url(org_a, "upload/").encode() not in bob_client.get(url(org_a)).content


def test_the_list_filters_by_kind_source_and_collection_day(org_a, alice_client):
    add_pdf(org_a, title="Old policy", collected_at=datetime(2026, 1, 10, 23, 59, tzinfo=UTC))
    add_pdf(org_a, title="New policy", collected_at=datetime(2026, 2, 1, tzinfo=UTC))
    add_link(org_a, title="A ticket")
    add_record(org_a, title="A restore")

    def titles(query: str) -> set[str]:
        page = alice_client.get(url(org_a) + query).content.decode()
        return {t for t in ("Old policy", "New policy", "A ticket", "A restore") if t in page}

    assert titles("") == {"Old policy", "New policy", "A ticket", "A restore"}
    assert titles("?kind=policy_approval") == {"Old policy", "New policy"}
    assert titles("?source=link") == {"A ticket"}
    assert titles("?collected_from=2026-01-10&collected_to=2026-01-10") == {"Old policy"}
    assert titles("?collected_from=2026-01-11&collected_to=2026-02-01") == {"New policy"}


@pytest.mark.parametrize(
    "query",
    [
        "?source=nope",
        "?collected_from=yesterday",
        "?collected_from=2026-02-01&collected_to=2026-01-01",
        "?kind=" + "k" * 61,
        "?page=abc",
        "?collected_to=9999-12-31",
        "?kind=%00",
    ],
)
def test_bad_filters_never_fail(org_a, alice_client, query):
    add_pdf(org_a)
    response = alice_client.get(url(org_a) + query)
    assert response.status_code in (200, 400)


def test_the_list_pages_by_fifty(org_a, alice_client):
    now = timezone.now()
    with scopes_disabled():
        EvidenceItem.objects.bulk_create(
            EvidenceItem(
                organization=org_a,
                kind="bulk",
                title=f"Item {n:03d}",
                source=EvidenceSource.LINK,
                link_url="https://x.example",
                sha256="0" * 64,
                collected_at=now - timedelta(minutes=n),
            )
            for n in range(120)
        )
    first = alice_client.get(url(org_a)).content.decode()
    third = alice_client.get(url(org_a) + "?page=3").content.decode()
    assert "Item 000" in first and "Item 049" in first and "Item 050" not in first
    assert "Item 100" in third and "Item 119" in third and "Item 099" not in third
    assert "Page 3 of 3 (120 items)" in third


def test_the_list_uses_a_constant_number_of_queries(
    org_a, alice_client, django_assert_max_num_queries
):
    for n in range(5):
        add_pdf(org_a, title=f"P{n}")
    with django_assert_max_num_queries(12):
        assert alice_client.get(url(org_a)).status_code == 200


# -- detail ---------------------------------------------------------------------------


def test_the_detail_shows_metadata_and_hash(org_a, alice_client, bob_client, charlie_client):
    item = add_pdf(org_a, description="Signed by the CEO")
    for client in (alice_client, bob_client):
        page = client.get(url(org_a, f"{item.pk}/")).content.decode()
        assert item.sha256 in page
        assert "Signed by the CEO" in page
        assert url(org_a, f"{item.pk}/download/") in page
    assert (
        url(org_a, f"{item.pk}/correct/")
        in alice_client.get(url(org_a, f"{item.pk}/")).content.decode()
    )
    assert (
        url(org_a, f"{item.pk}/correct/")
        not in bob_client.get(url(org_a, f"{item.pk}/")).content.decode()
    )
    assert charlie_client.get(url(org_a, f"{item.pk}/")).status_code == 404


def test_another_organisations_item_is_404_in_every_page(org_a, org_b, alice_client):
    theirs = add_pdf(org_b)
    for suffix in ("", "download/", "correct/"):
        assert alice_client.get(url(org_a, f"{theirs.pk}/{suffix}")).status_code == 404
    assert (
        alice_client.post(url(org_a, f"{theirs.pk}/correct/"), {"reason": "x"}).status_code == 404
    )
    assert count_items(org_b) == 1


def test_the_detail_shows_the_chain_of_corrections(org_a, alice_client):
    first = add_pdf(org_a, title="First")
    alice_client.post(url(org_a, f"{first.pk}/correct/"), _correct_data(first, title="Second"))
    with scopes_disabled():
        second = EvidenceItem.objects.get(supersedes=first)
    old_page = alice_client.get(url(org_a, f"{first.pk}/")).content.decode()
    assert "This item was corrected" in old_page
    assert url(org_a, f"{second.pk}/") in old_page
    assert url(org_a, f"{first.pk}/correct/") not in old_page
    listing = alice_client.get(url(org_a)).content.decode()
    assert listing.count('badge warn">superseded') == 1
    new_page = alice_client.get(url(org_a, f"{second.pk}/")).content.decode()
    assert url(org_a, f"{first.pk}/") in new_page
    assert "superseded" in new_page


def _chain(org, length: int, label: str) -> list[EvidenceItem]:
    """An item and ``length - 1`` successive corrections of it, oldest first."""
    versions = [add_pdf(org, title=f"{label} v1")]
    with organization_scope(org):
        for n in range(2, length + 1):
            fixed = services.correct(
                org, SYSTEM, versions[-1].pk, reason="Wrong title", title=f"{label} v{n}"
            )
            versions.append(fixed)
    return versions


def test_the_detail_reads_a_chain_of_any_length_in_the_same_number_of_queries(
    org_a, alice_client, django_assert_max_num_queries
):
    short, long = _chain(org_a, 2, "Short"), _chain(org_a, 6, "Long")
    alice_client.get(url(org_a, f"{short[0].pk}/"))  # the session's first read is not counted
    with django_assert_max_num_queries(12) as baseline:
        assert alice_client.get(url(org_a, f"{short[0].pk}/")).status_code == 200
    queries_of_short = len(baseline.captured_queries)
    counts = set()
    for chain in (short, long):
        for version in chain:
            with django_assert_max_num_queries(queries_of_short) as captured:
                page = alice_client.get(url(org_a, f"{version.pk}/")).content.decode()
            counts.add(len(captured.captured_queries))
            listed = page[page.index("<h2>Versions</h2>") :]
            # Every version, oldest first, each once.
            positions = [listed.index(f"#{v.pk} {v.title}<") for v in chain]
            assert positions == sorted(positions)
            assert all(listed.count(f"#{v.pk} {v.title}<") == 1 for v in chain)
            assert listed.count("superseded") == chain.index(version)
    assert counts == {queries_of_short}


def test_a_records_detail_shows_its_content(org_a, alice_client):
    item = add_record(org_a, record={"restored_rows": 1843021})
    assert b"restored_rows" in alice_client.get(url(org_a, f"{item.pk}/")).content


# -- download -------------------------------------------------------------------------


def test_download_streams_the_file_as_an_attachment(
    org_a, alice_client, bob_client, charlie_client
):
    item = add_pdf(org_a)
    for client in (alice_client, bob_client):
        response = client.get(url(org_a, f"{item.pk}/download/"))
        assert response.status_code == 200
        assert body(response) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == 'attachment; filename="policy.pdf"'
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Length"] == str(len(PDF))
        assert "sandbox" in response["Content-Security-Policy"]
        digest = base64.b64encode(hashlib.sha256(PDF).digest()).decode()
        assert response["Repr-Digest"] == f"sha-256=:{digest}:"
    assert charlie_client.get(url(org_a, f"{item.pk}/download/")).status_code == 404


def test_a_download_name_is_safe_in_the_header(org_a, alice_client):
    name = 'rapport "final"\r\nX-Evil: 1 ✓.pdf'
    item = add_pdf(org_a, uploaded_file=SimpleUploadedFile(name, PDF))
    response = alice_client.get(url(org_a, f"{item.pk}/download/"))
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename*=utf-8''")
    assert "\r" not in disposition and "\n" not in disposition and '"' not in disposition
    assert not response.has_header("X-Evil")
    body(response)


def test_a_record_downloads_as_its_canonical_json(org_a, alice_client):
    item = add_record(org_a, record={"b": 1, "a": 2})
    response = alice_client.get(url(org_a, f"{item.pk}/download/"))
    data = body(response)
    assert data == b'{"a":2,"b":1}'
    assert hashlib.sha256(data).hexdigest() == item.sha256
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == f'attachment; filename="backup_test-{item.pk}.json"'


def test_a_link_has_no_download(org_a, alice_client):
    item = add_link(org_a)
    response = alice_client.get(url(org_a, f"{item.pk}/download/"))
    assert response.status_code == 302
    assert response["Location"] == url(org_a, f"{item.pk}/")


def test_a_missing_blob_is_404_not_500(org_a, alice_client):
    item = add_pdf(org_a)
    for path in stored_blobs():
        path.unlink()
    assert not storage.blob_exists(org_a, item.sha256)
    assert alice_client.get(url(org_a, f"{item.pk}/download/")).status_code == 404


def test_download_refuses_writes(org_a, alice_client, bob_client):
    item = add_pdf(org_a)
    assert alice_client.post(url(org_a, f"{item.pk}/download/")).status_code == 405
    assert bob_client.post(url(org_a, f"{item.pk}/download/")).status_code == 403


# -- upload ---------------------------------------------------------------------------


def test_alice_uploads_a_file(org_a, alice, alice_client):
    response = alice_client.post(url(org_a, "upload/"), upload_data())
    assert response.status_code == 302
    with scopes_disabled():
        item = EvidenceItem.objects.get(organization=org_a)
    assert response["Location"] == url(org_a, f"{item.pk}/")
    assert (item.title, item.kind, item.created_by) == ("Signed policy", "policy_approval", alice)
    assert (item.period_start, item.period_end) == (date(2026, 1, 1), date(2026, 3, 31))
    assert item.tags == ["board", "policy"]
    assert actions(org_a) == ["evidence.added"]


def test_the_upload_form_is_multipart_and_lists_known_kinds(org_a, alice_client):
    add_pdf(org_a, kind="board_minutes")
    page = alice_client.get(url(org_a, "upload/")).content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert '<option value="board_minutes">' in page
    assert "csrfmiddlewaretoken" in page


def test_bob_cannot_upload_and_charlie_cannot_see_the_form(org_a, bob_client, charlie_client):
    response = bob_client.get(url(org_a, "upload/"))
    assert response.status_code == 302
    assert response["Location"] == url(org_a)
    assert bob_client.post(url(org_a, "upload/"), upload_data()).status_code == 403
    assert charlie_client.get(url(org_a, "upload/")).status_code == 404
    assert charlie_client.post(url(org_a, "upload/"), upload_data()).status_code == 404
    assert count_items(org_a) == 0


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"file": SimpleUploadedFile("page.html", b"<html></html>")}, "not accepted"),
        ({"file": SimpleUploadedFile("fake.pdf", b"<svg/>")}, "not that format"),
        ({"period_end": "2025-01-01"}, "ends before it starts"),
        ({"kind": "Bad kind!"}, "kind is a short name"),
        ({"title": ""}, "required"),
        ({"file": None}, "required"),
        ({"collected_at": "3000-01-01T00:00"}, "in the future"),
    ],
)
def test_bad_uploads_show_the_reason_and_store_nothing(org_a, alice_client, overrides, message):
    response = alice_client.post(url(org_a, "upload/"), upload_data(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert count_items(org_a) == 0
    assert stored_blobs() == []


def test_an_upload_over_the_limit_is_refused(org_a, alice_client, settings):
    settings.EVIDENCE_MAX_BYTES = 10
    response = alice_client.post(url(org_a, "upload/"), upload_data())
    assert response.status_code == 400
    assert "larger than the limit of 10 bytes" in response.content.decode()
    assert stored_blobs() == []


# -- links ----------------------------------------------------------------------------


def test_alice_adds_a_link(org_a, alice_client):
    data = {"title": "Ticket", "kind": "access_review", "url": "https://t.example/SEC-9"}
    response = alice_client.post(url(org_a, "links/new/"), data)
    assert response.status_code == 302
    with scopes_disabled():
        item = EvidenceItem.objects.get(organization=org_a)
    assert item.link_url == "https://t.example/SEC-9"
    page = alice_client.get(url(org_a, f"{item.pk}/")).content.decode()
    assert 'rel="noopener noreferrer nofollow"' in page


def test_a_bad_link_is_refused(org_a, alice_client, bob_client):
    data = {"title": "Ticket", "kind": "access_review", "url": "javascript:alert(1)"}
    response = alice_client.post(url(org_a, "links/new/"), data)
    assert response.status_code == 400
    assert "http:// or https://" in response.content.decode()
    assert bob_client.post(url(org_a, "links/new/"), data).status_code == 403
    assert count_items(org_a) == 0


# -- corrections ----------------------------------------------------------------------


def _correct_data(item, **overrides) -> dict:
    data = {
        "reason": "Wrong title",
        "title": item.title,
        "kind": item.kind,
        "description": item.description,
        "period_start": "",
        "period_end": "",
        "collected_at": "",
        "tags": "",
    }
    data.update(overrides)
    return data


def test_the_correct_form_starts_from_the_original(org_a, alice_client, bob_client):
    item = add_pdf(org_a, title="Original title")
    page = alice_client.get(url(org_a, f"{item.pk}/correct/")).content.decode()
    assert 'value="Original title"' in page
    assert 'name="file"' in page and 'name="url"' not in page
    assert bob_client.get(url(org_a, f"{item.pk}/correct/")).status_code == 302


def test_alice_corrects_an_item(org_a, alice_client):
    item = add_pdf(org_a)
    new_pdf = PDF + b"% v2\n"
    data = _correct_data(item, title="Corrected", file=pdf("v2.pdf", new_pdf))
    response = alice_client.post(url(org_a, f"{item.pk}/correct/"), data)
    assert response.status_code == 302
    with scopes_disabled():
        fixed = EvidenceItem.objects.get(supersedes=item)
    assert (fixed.title, fixed.file_name) == ("Corrected", "v2.pdf")
    assert fixed.sha256 == hashlib.sha256(new_pdf).hexdigest()
    assert actions(org_a) == ["evidence.added", "evidence.corrected"]


def test_a_link_correction_keeps_its_time_unless_the_address_changes(org_a, alice_client):
    item = add_link(org_a, collected_at=datetime(2026, 1, 1, tzinfo=UTC))
    data = _correct_data(item, title="Renamed", url=item.link_url)
    alice_client.post(url(org_a, f"{item.pk}/correct/"), data)
    with scopes_disabled():
        fixed = EvidenceItem.objects.get(supersedes=item)
    assert fixed.collected_at == item.collected_at


def test_a_superseded_item_cannot_be_corrected_again(
    org_a, alice_client, bob_client, charlie_client
):
    item = add_pdf(org_a)
    assert (
        alice_client.post(
            url(org_a, f"{item.pk}/correct/"), _correct_data(item, title="B")
        ).status_code
        == 302
    )
    again = alice_client.post(url(org_a, f"{item.pk}/correct/"), _correct_data(item, title="C"))
    assert again.status_code == 409
    assert "already corrected" in again.content.decode()
    assert (
        bob_client.post(url(org_a, f"{item.pk}/correct/"), _correct_data(item)).status_code == 403
    )
    assert (
        charlie_client.post(url(org_a, f"{item.pk}/correct/"), _correct_data(item)).status_code
        == 404
    )
    assert count_items(org_a) == 2


def test_a_correction_that_changes_nothing_is_refused(org_a, alice_client):
    item = add_pdf(org_a)
    response = alice_client.post(url(org_a, f"{item.pk}/correct/"), _correct_data(item))
    assert response.status_code == 400
    assert "changes nothing" in response.content.decode()
    assert count_items(org_a) == 1
